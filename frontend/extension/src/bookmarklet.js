// The bookmarklet's own part, run after the shared reader (selectors.js,
// reader.js) inside the one function build.py makes a `javascript:` URL of.
// x.com's Content-Security-Policy forbids calling our site from the page, so
// this reads the thread, opens a window of our site (import/x/) and, when
// that window says it is ready, hands the thread over with postMessage,
// aimed at our site's origin only. Pictures go along as Blobs when the page
// may fetch them; when its CSP says no, the window fetches them itself.
function saveToThreadNavigator(siteUrl) {
  const READY = "thread-navigator:ready";
  const THREAD = "thread-navigator:thread";
  const site = new URL(siteUrl.endsWith("/") ? siteUrl : `${siteUrl}/`);
  const PICTURE_SECONDS = 15;

  async function fetchPicture(url) {
    try {
      const response = await fetch(url, {
        mode: "cors", credentials: "omit", signal: AbortSignal.timeout(PICTURE_SECONDS * 1000),
      });
      return response.ok ? [[url, await response.blob()]] : [];
    } catch {
      return []; // refused by the page's CSP, or X said no: the window tries
    }
  }

  async function fetchPictures(thread) {
    const urls = thread.posts.flatMap((post) => (post.images || []).map((image) => image.url));
    if (thread.author.avatar_url) urls.push(thread.author.avatar_url);
    const found = await Promise.all([...new Set(urls.filter(Boolean))].map(fetchPicture));
    return Object.fromEntries(found.flat());
  }

  let thread;
  try {
    thread = ThreadNavigatorReader.readThread(document, location);
  } catch (error) {
    alert(error.message);
    return;
  }
  const pictures = fetchPictures(thread);
  let target = null;
  const answer = async (event) => {
    if (event.source !== target || event.origin !== site.origin || event.data?.type !== READY) return;
    window.removeEventListener("message", answer);
    target.postMessage({ type: THREAD, thread, pictures: await pictures }, site.origin);
  };
  window.addEventListener("message", answer);
  // Opened at once, while the click still counts: a window opened later is
  // blocked as a pop-up.
  target = window.open(new URL("import/x/", site).href, "thread-navigator-import");
  if (!target) {
    window.removeEventListener("message", answer);
    alert("Your browser blocked the Thread Navigator window: allow pop-ups for this site and click the bookmark again.");
  }
}

saveToThreadNavigator("__THREAD_NAVIGATOR_SITE__");
