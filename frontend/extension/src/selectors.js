// Everything the reader knows about x.com's markup, in one place: when X
// changes its pages, this is the file to mend (and tests/frontend/fixtures/x/
// the pages to update with it). Plain script, no modules: build.py joins it
// with reader.js into the extension's content script and into the
// bookmarklet, so it declares one name and nothing else.
var ThreadNavigatorSelectors = {
  // One per post on the page, in page order.
  post: 'article[data-testid="tweet"]',
  // Inside a post: its text, author line, avatar and pictures.
  text: 'div[data-testid="tweetText"]',
  userName: 'div[data-testid="User-Name"]',
  avatar: 'div[data-testid="Tweet-User-Avatar"] img',
  photo: 'div[data-testid="tweetPhoto"] img',
  // The post's own address: its time sits in a link to /<handle>/status/<id>.
  permalinkTime: 'a[href*="/status/"] time',
  // A quoted post is a clickable block inside the post with an author line
  // of its own; nothing in it belongs to the post that quotes it.
  quote: 'div[role="link"]',
  // Controls X puts around or inside the text ("Show more", "Translate post").
  textControls: 'button, [role="button"], [data-testid="tweet-text-show-more-link"]',
  // "Show more" under a post X shows cut short (a long post, not the one opened).
  showMore: '[data-testid="tweet-text-show-more-link"]',
  // What a signed-out visitor gets instead of the post.
  loginWall: '[data-testid="loginButton"], [data-testid="signupButton"], a[href="/login"], a[href^="/i/flow/login"]',

  hosts: /(^|\.)(x|twitter)\.com$/i,
  statusPath: /^\/(?:([A-Za-z0-9_]{1,30})|i\/web)\/status(?:es)?\/(\d{1,20})(?:\/|$)/,
  // A post's pictures; video stills and link cards live elsewhere.
  mediaUrl: /^https:\/\/pbs\.twimg\.com\/media\//,
  // Avatar sizes X serves (`_normal.jpg`, `_bigger.png`, `_200x200.jpg`…).
  avatarSize: /_(?:normal|bigger|mini|reasonably_small|x96|\d+x\d+)(\.\w+)?$/,
  // The alt X gives a picture whose author wrote none: not a description.
  defaultAlts: ["Image"],
  // The character X appends to an address it cut for display.
  ellipsis: "\u2026",
};
