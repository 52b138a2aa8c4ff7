// The "Save thread" button on X's post pages and the panel that shows what
// the reader found and how the saving goes. build.py puts the reader
// (selectors.js + reader.js) and the panel's style (content.css, as
// ThreadNavigatorPanelStyle) above this; the background does the saving.
(function () {
  "use strict";
  const api = globalThis.browser || globalThis.chrome;
  const S = ThreadNavigatorSelectors;
  // X changes pages without loading one: look at the address now and then.
  const ADDRESS_CHECK_MS = 1000;

  const host = document.createElement("div");
  host.id = "thread-navigator";
  // A shadow root keeps X's styles off the panel, and ours off X.
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `<style>${ThreadNavigatorPanelStyle}</style>
<button type="button" class="save" title="Save this thread to Thread Navigator">
  <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18"><path d="M6 3h12a1 1 0 0 1 1 1v17l-7-4-7 4V4a1 1 0 0 1 1-1z" fill="currentColor"/></svg>
  <span>Save thread</span>
</button>
<section class="panel" role="dialog" aria-labelledby="tn-title" hidden>
  <h2 id="tn-title">Thread Navigator</h2>
  <p class="summary"></p>
  <p class="note"></p>
  <p class="excerpt"></p>
  <p class="status" role="status" aria-live="polite"></p>
  <div class="actions"></div>
</section>`;
  const saveButton = root.querySelector(".save");
  const panel = root.querySelector(".panel");
  const summary = root.querySelector(".summary");
  const note = root.querySelector(".note");
  const excerpt = root.querySelector(".excerpt");
  const status = root.querySelector(".status");
  const actions = root.querySelector(".actions");

  let thread = null;
  let busy = false;

  function show({ title = "Thread Navigator", lines = [], warning = "", quote = "", text = "", buttons = [] }) {
    panel.querySelector("h2").textContent = title;
    summary.textContent = lines.join(" ");
    summary.hidden = !lines.length;
    note.textContent = warning;
    note.hidden = !warning;
    excerpt.textContent = quote;
    excerpt.hidden = !quote;
    status.textContent = text;
    actions.replaceChildren(...buttons.map(([label, act, primary]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      if (primary) button.className = "primary";
      button.addEventListener("click", act);
      return button;
    }));
    panel.hidden = false;
    saveButton.setAttribute("aria-expanded", "true");
    (actions.querySelector(".primary") || actions.querySelector("button") || panel).focus();
  }

  function close() {
    if (busy) return;
    panel.hidden = true;
    thread = null;
    saveButton.setAttribute("aria-expanded", "false");
    saveButton.focus();
  }

  function plural(count, one, many) {
    return `${count} ${count === 1 ? one : many}`;
  }

  // X keeps only the posts near the screen in the page and loads more as
  // one scrolls: while the thread reaches the top or the bottom of what the
  // page holds, scroll that way a screen at a time and read again.
  const R = ThreadNavigatorReader;
  const SETTLE_MS = 400; // for X to draw the posts scrolled to
  const LOAD_MS = 1500; // for X to load more at the end of the page
  const MAX_SCROLLS = 60;

  function pageKey() {
    return Array.from(document.querySelectorAll(S.post), (article) => {
      const time = article.querySelector(S.permalinkTime);
      return time ? time.closest("a").getAttribute("href") : "";
    }).join(" ");
  }

  // Resolves when the page's posts change, or after `ms`.
  function postsChange(ms) {
    const before = pageKey();
    return new Promise((resolve) => {
      const done = (changed) => {
        observer.disconnect();
        clearTimeout(timer);
        resolve(changed);
      };
      const observer = new MutationObserver(() => {
        if (pageKey() !== before) done(true);
      });
      const timer = setTimeout(() => done(false), ms);
      observer.observe(document.body, { childList: true, subtree: true });
    });
  }

  // `more` read around posts of `known`: its posts before and after them.
  function merge(known, more) {
    const ids = new Set(known.posts.map((post) => post.id));
    const overlap = more.posts.findIndex((post) => ids.has(post.id));
    if (overlap < 0) return known;
    const before = more.posts.slice(0, overlap).filter((post) => !ids.has(post.id));
    const after = more.posts.slice(overlap).filter((post) => !ids.has(post.id));
    const posts = [...before, ...known.posts, ...after];
    return { ...known, source_url: `https://x.com/${known.author.handle}/status/${posts[0].id}`, posts };
  }

  async function scrollThrough(found, direction, report) {
    let current = found.thread;
    for (let step = 0; step < MAX_SCROLLS; step += 1) {
      const seen = current.posts.map((post) => post.id);
      const edges = R.edges(document, location, { seen });
      if (!(direction > 0 ? edges.bottom : edges.top)) break;
      const before = window.scrollY;
      window.scrollBy(0, direction * Math.round(window.innerHeight * 0.8));
      const moved = window.scrollY !== before;
      // At the very top nothing comes; at the bottom X may still load more.
      if (!moved && direction < 0) break;
      const changed = await postsChange(moved ? SETTLE_MS : LOAD_MS);
      if (!moved && !changed) break;
      const more = R.readThread(document, location, { seen });
      R.cutShort(document, more).forEach((id) => found.cut.add(id));
      current = merge(current, more);
      report(current.posts.length);
    }
    found.thread = current;
  }

  async function readWhole(report) {
    const found = { thread: R.readThread(document, location), cut: new Set() };
    R.cutShort(document, found.thread).forEach((id) => found.cut.add(id));
    const start = window.scrollY;
    await scrollThrough(found, -1, report);
    window.scrollTo(0, start);
    await scrollThrough(found, 1, report);
    window.scrollTo(0, start);
    return found;
  }

  async function read() {
    let found;
    busy = true;
    show({ title: "Reading the thread…", text: "Reading the posts on this page…" });
    try {
      found = await readWhole((count) => {
        status.textContent = `Reading the thread: ${plural(count, "post", "posts")} so far…`;
      });
    } catch (error) {
      if (!(error instanceof R.ReadError)) throw error;
      show({ title: "Nothing to save here", text: error.message, buttons: [["Try again", read, true], ["Close", close]] });
      return;
    } finally {
      busy = false;
    }
    thread = found.thread;
    const pictures = thread.posts.reduce((sum, post) => sum + post.images.length, 0);
    const first = thread.posts[0].text;
    const cut = thread.posts.flatMap((post, index) => (found.cut.has(post.id) ? [index + 1] : []));
    const lines = [
      `${plural(thread.posts.length, "post", "posts")}, ${plural(pictures, "picture", "pictures")}`,
      `by ${thread.author.name} (@${thread.author.handle}).`,
    ];
    let warning = "";
    if (cut.length) {
      const which = cut.length === 1 ? `Post ${cut[0]} is` : `Posts ${cut.slice(0, -1).join(", ")} and ${cut.at(-1)} are`;
      warning = `${which} cut short on this page (“Show more”): saved as shown, add the rest in the editor.`;
    }
    show({
      title: "Save this thread?",
      lines,
      warning,
      quote: first.length > 140 ? `${first.slice(0, 140)}…` : first,
      buttons: [["Send to Thread Navigator", send, true], ["Cancel", close]],
    });
  }

  // What the panel shows about the thread stays while saving.
  function shown() {
    return {
      title: panel.querySelector("h2").textContent,
      lines: summary.hidden ? [] : [summary.textContent],
      warning: note.hidden ? "" : note.textContent,
      quote: excerpt.hidden ? "" : excerpt.textContent,
    };
  }

  // One conversation with the background per action; it answers with
  // progress, then one of done / partial / failed.
  function ask(message) {
    const before = shown();
    const port = api.runtime.connect({ name: "thread-navigator" });
    busy = true;
    show({ ...before, text: "Working…" });
    port.onMessage.addListener((reply) => {
      if (reply.type === "progress") {
        status.textContent = reply.text;
        return;
      }
      busy = false;
      port.disconnect();
      answered(reply, before);
    });
    port.onDisconnect.addListener(() => {
      if (!busy) return;
      busy = false;
      show({ ...before, text: "The extension stopped before it finished: try again.", buttons: [["Try again", () => ask(message), true], ["Close", close]] });
    });
    port.postMessage(message);
  }

  function answered(reply, before) {
    if (reply.type === "done") {
      show({ ...before, title: "Saved", text: reply.text, buttons: [["Close", close, true]] });
    } else if (reply.type === "partial") {
      show({
        ...before,
        title: "Saved, but pictures are missing",
        text: reply.text,
        buttons: [
          ["Open the thread", () => ask({ type: "open", threadId: reply.threadId }), true],
          ["Finish without them", () => ask({ type: "finish", threadId: reply.threadId })],
        ],
      });
    } else {
      const buttons = [["Try again", send, true]];
      if (reply.settings) buttons.push(["Open the settings", () => api.runtime.sendMessage({ type: "settings" })]);
      buttons.push(["Close", close]);
      show({ ...before, title: "Not saved", text: reply.text, buttons });
    }
  }

  function send() {
    if (thread) ask({ type: "save", thread });
  }

  function followAddress() {
    const onPost = S.hosts.test(location.hostname) && S.statusPath.test(location.pathname);
    host.hidden = !onPost;
    if (!onPost && !busy) panel.hidden = true;
  }

  saveButton.setAttribute("aria-expanded", "false");
  saveButton.addEventListener("click", () => (panel.hidden ? read() : close()));
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  panel.tabIndex = -1;
  document.documentElement.append(host);
  followAddress();
  setInterval(followAddress, ADDRESS_CHECK_MS);
})();
