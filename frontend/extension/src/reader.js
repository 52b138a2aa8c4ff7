// Reads the thread on an x.com post page into Thread Navigator's import JSON
// (README, "Thread JSON"): the author's consecutive posts around the one in
// the address bar, in page order, with their text as written (emoji
// characters, links' real targets, line breaks) and their pictures at full
// size. It only reads the page as the user's browser shows it; every
// selector comes from selectors.js. Shared by the extension and the
// bookmarklet: one name, ThreadNavigatorReader.readThread(document, location),
// which returns the thread or throws a ThreadNavigatorReader.ReadError whose
// message is meant for the user. For a reader that scrolls (the extension):
// `seen` (ids already read) anchors the thread once the address bar's post
// has left the page, edges() says whether the thread may go on beyond what
// the page holds, and cutShort() names the posts shown cut short.
var ThreadNavigatorReader = (function (S) {
  "use strict";

  const NO_POST = "This page shows no post: open a post on x.com and try again.";
  const LOGIN_WALL = "X is showing its log-in page instead of the post: log in on x.com, open the post again and retry.";
  const NOT_LOADED = "The post in the address bar is not on the page yet: wait until it shows, then try again.";

  class ReadError extends Error {
    constructor(message) {
      super(message);
      this.name = "ReadError";
    }
  }

  function statusOf(path) {
    const match = S.statusPath.exec(path);
    return match ? { handle: match[1] || "", id: match[2] } : null;
  }

  // Inside a quoted post of `article`? (A block with an author line of its
  // own; the article's own author line is not inside such a block.)
  function inQuote(node, article) {
    for (let el = node.parentElement; el && el !== article; el = el.parentElement) {
      if (el.matches(S.quote) && el.querySelector(S.userName)) return true;
    }
    return false;
  }

  // The elements matching `selector` that belong to the post itself.
  function own(article, selector) {
    return Array.from(article.querySelectorAll(selector)).filter(
      (el) => el.closest(S.post) === article && !inQuote(el, article),
    );
  }

  function permalink(article) {
    for (const time of own(article, S.permalinkTime)) {
      const href = time.closest("a").getAttribute("href") || "";
      const status = statusOf(new URL(href, "https://x.com/").pathname);
      if (status) return status;
    }
    return null;
  }

  // --- text ----------------------------------------------------------------

  function textOf(node) {
    let text = "";
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) text += child.nodeValue;
      else if (child.nodeType === Node.ELEMENT_NODE) text += elementText(child);
    }
    return text;
  }

  function elementText(el) {
    if (el.matches(S.textControls)) return "";
    switch (el.localName) {
      case "img": // X draws emoji as pictures whose alt is the emoji itself
        return el.getAttribute("alt") || "";
      case "br":
        return "\n";
      case "a":
        return linkText(el);
      default:
        return textOf(el);
    }
  }

  function isAddress(text) {
    return /^https?:\/\/\S+$/i.test(text);
  }

  // X shows a link cut ("example.org/books/mathemat…") but keeps the whole
  // address in the anchor: a hidden "https://", the shown start, a hidden
  // rest, then the "…". Mentions, hashtags and cashtags are relative
  // anchors whose text is what the author wrote.
  function linkText(anchor) {
    const shown = textOf(anchor);
    const href = anchor.getAttribute("href") || "";
    if (!/^https?:\/\//i.test(href)) return shown;
    const parts = Array.from(anchor.childNodes);
    const last = parts[parts.length - 1];
    const cut = Boolean(last) && last.textContent === S.ellipsis;
    const restHidden = parts.length > 2 && parts[parts.length - 2].nodeType === Node.ELEMENT_NODE
      && parts[parts.length - 2].getAttribute("aria-hidden") === "true";
    if (!cut && isAddress(shown.trim())) return shown.trim();
    if (cut && restHidden) {
      const whole = parts.slice(0, -1).map((part) => part.textContent).join("").trim();
      if (isAddress(whole)) return whole;
    }
    for (const name of ["data-expanded-url", "title"]) {
      const value = (anchor.getAttribute(name) || "").trim();
      if (isAddress(value)) return value;
    }
    return href; // the t.co address: it still leads there
  }

  function postText(article) {
    const body = own(article, S.text)[0];
    return body ? textOf(body).trim() : "";
  }

  // --- pictures and author ---------------------------------------------------

  function pictures(article) {
    const seen = new Set();
    const found = [];
    for (const img of own(article, S.photo)) {
      const src = img.getAttribute("src") || "";
      if (!S.mediaUrl.test(src)) continue;
      const url = new URL(src);
      url.searchParams.set("name", "orig");
      if (seen.has(url.href)) continue;
      seen.add(url.href);
      const alt = (img.getAttribute("alt") || "").trim();
      found.push({ url: url.href, alt: S.defaultAlts.includes(alt) ? "" : alt });
    }
    return found;
  }

  function authorName(article, handle) {
    const line = own(article, S.userName)[0];
    if (!line) return handle;
    for (const anchor of line.querySelectorAll("a")) {
      const text = textOf(anchor).trim();
      if (text && !text.startsWith("@") && !anchor.querySelector("time")) return text;
    }
    return handle;
  }

  function avatarUrl(articles) {
    for (const article of articles) {
      const img = own(article, S.avatar)[0];
      const src = img && img.getAttribute("src");
      if (!src || !/^https:\/\//.test(src)) continue;
      const url = new URL(src);
      url.pathname = url.pathname.replace(S.avatarSize, "_400x400$1");
      return url.href;
    }
    return null;
  }

  // --- the thread ------------------------------------------------------------

  function focalId(location) {
    const address = new URL(String(location.href || location));
    if (!S.hosts.test(address.hostname)) throw new ReadError(NO_POST);
    const status = statusOf(address.pathname);
    if (!status) throw new ReadError(NO_POST);
    return status.id;
  }

  function pagePosts(document) {
    return Array.from(document.querySelectorAll(S.post), (article) => {
      const status = permalink(article);
      return { article, id: status && status.id, handle: status ? status.handle.toLowerCase() : null };
    });
  }

  // The run of the author's posts around the focal one: X shows the thread's
  // earlier posts above it and its continuation right below, before anyone
  // else's replies.
  function authorRun(posts, index) {
    const handle = posts[index].handle;
    let first = index;
    let last = index;
    while (first > 0 && posts[first - 1].handle === handle) first -= 1;
    while (last < posts.length - 1 && posts[last + 1].handle === handle) last += 1;
    return posts.slice(first, last + 1);
  }

  // The page's posts, the run of the thread among them, and where it sits.
  function locate(document, location, seen) {
    const wanted = focalId(location);
    const posts = pagePosts(document);
    if (!posts.length) {
      throw new ReadError(document.querySelector(S.loginWall) ? LOGIN_WALL : NO_POST);
    }
    // X keeps only the posts near the screen in the page: once scrolled,
    // the post in the address bar may be gone, and a post already read
    // anchors the thread instead.
    let index = posts.findIndex((post) => post.id === wanted);
    if (index < 0) index = posts.findIndex((post) => seen.includes(post.id));
    if (index < 0) throw new ReadError(NOT_LOADED);
    const run = authorRun(posts, index);
    return { posts, run };
  }

  // Does the thread reach the first (top) or last (bottom) post the page
  // holds? Then it may go on beyond what the page has loaded.
  function edges(document, location, { seen = [] } = {}) {
    const { posts, run } = locate(document, location, seen);
    return { top: run[0] === posts[0], bottom: run[run.length - 1] === posts[posts.length - 1] };
  }

  function readThread(document, location, { seen = [] } = {}) {
    const { run } = locate(document, location, seen);
    const articles = run.map((post) => post.article);
    const handle = permalink(articles[0]).handle;
    const author = { name: authorName(articles[0], handle), handle };
    const avatar = avatarUrl(articles);
    if (avatar) author.avatar_url = avatar;
    return {
      source_url: `https://x.com/${handle}/status/${run[0].id}`,
      author,
      posts: run.map((post) => ({ id: post.id, text: postText(post.article), images: pictures(post.article) })),
    };
  }

  // The ids of the thread's posts that this page shows cut short behind
  // "Show more": their text is only what the page shows.
  function cutShort(document, thread) {
    const ids = thread.posts.map((post) => post.id);
    return pagePosts(document)
      .filter((post) => ids.includes(post.id) && own(post.article, S.showMore).length)
      .map((post) => post.id);
  }

  return { readThread, edges, cutShort, ReadError };
})(ThreadNavigatorSelectors);
