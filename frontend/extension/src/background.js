// The extension's background: it holds the token, talks to Thread
// Navigator's API and fetches X's pictures (its host permissions let it;
// the page's own policy would not), and finishes the connect flow.
// build.py puts `ThreadNavigatorConfig` (the site's address) above this.
const api = globalThis.browser || globalThis.chrome;
const DEFAULTS = { site: ThreadNavigatorConfig.site, token: "" };
const CONNECT_DONE = "/extension/connect/done/";

async function settings() {
  const stored = await api.storage.local.get(DEFAULTS);
  return { site: (stored.site || DEFAULTS.site).replace(/\/+$/, ""), token: stored.token };
}

// A failure to tell the user. `fatal`: nothing more can be sent (the site is
// unreachable or refused the token), so the save stops; `settings`: the
// extension's settings are where to mend it.
class Problem extends Error {
  constructor(message, { fatal = true, settings = false } = {}) {
    super(message);
    this.fatal = fatal;
    this.settings = settings;
  }
}

function explain(status, body) {
  const said = body && typeof body.message === "string" ? body.message : "";
  if (status === 401) {
    return new Problem("Thread Navigator did not accept the extension's key: connect again in the extension's settings.", { settings: true });
  }
  if (status === 403) {
    return new Problem(`Thread Navigator refused: ${said || "this key may not do that"}. Connect again in the extension's settings.`, { settings: true });
  }
  if (status === 429) {
    return new Problem(said || "Too many saves in a short time: wait a minute and try again.");
  }
  if (status >= 500) {
    return new Problem(`Thread Navigator had a problem (error ${status}): try again in a moment.`);
  }
  return new Problem(`Thread Navigator could not take it: ${said || `error ${status}`}`, { fatal: false });
}

async function call(site, method, path, body) {
  const headers = { Authorization: `Token ${site.token}`, Accept: "application/json" };
  if (body && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(body);
  }
  let response;
  try {
    // No cookies: the key alone says who is saving.
    response = await fetch(`${site.site}${path}`, { method, headers, body, credentials: "omit" });
  } catch {
    throw new Problem(`Could not reach Thread Navigator at ${site.site}: check your connection, or the site's address in the extension's settings.`, { settings: true });
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw explain(response.status, answer);
  return { status: response.status, data: answer };
}

function fileName(address) {
  const url = new URL(address);
  const base = url.pathname.split("/").pop() || "picture";
  const format = url.searchParams.get("format");
  return format && !base.includes(".") ? `${base}.${format}` : base;
}

async function fetchPicture(address) {
  const response = await fetch(address, { credentials: "omit" });
  if (!response.ok) throw new Error(`${address} answered ${response.status}`);
  const blob = await response.blob();
  if (!blob.type.startsWith("image/")) throw new Error(`${address} is not a picture`);
  return blob;
}

async function upload(site, path, address, fields = {}) {
  const form = new FormData();
  form.append("file", await fetchPicture(address), fileName(address));
  for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
  return call(site, "POST", path, form);
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

function editorUrl(site, threadId) {
  return `${site.site}/threads/${threadId}/editor/`;
}

// The placeholders the site made for pictures this page showed: the ones to
// fetch and upload. (Saving again, pictures already there stay filled.)
function awaited(saved, thread) {
  const read = new Set(thread.posts.flatMap((post) => (post.images || []).map((image) => image.url)));
  return saved.posts.flatMap((post) => post.images
    .filter((image) => image.is_placeholder && read.has(image.source_url))
    .map((image) => ({ position: post.position, image })));
}

async function save(thread, report) {
  const site = await settings();
  if (!site.token) {
    throw new Problem("Connect the extension to your Thread Navigator account first: open its settings and click “Connect with your account”.", { settings: true });
  }
  report({ type: "progress", text: "Sending the thread to Thread Navigator…" });
  const content = { format: "json", content: thread, await_images: true };
  const { data: saved } = await call(site, "POST", "/api/v1/threads/import/", content);
  const pending = awaited(saved, thread);
  let kept = saved.posts.reduce((sum, post) => sum + post.images.filter((image) => !image.is_placeholder).length, 0);
  let missing = 0;
  for (const [index, { position, image }] of pending.entries()) {
    report({ type: "progress", text: `Fetching pictures: ${index + 1} of ${pending.length}…` });
    try {
      await upload(site, `/api/v1/threads/${saved.id}/posts/${position}/images/`, image.source_url, { placeholder: image.id });
      kept += 1;
    } catch (error) {
      if (error instanceof Problem && error.fatal) throw error;
      missing += 1;
    }
  }
  let avatarMissing = false;
  if (thread.author.avatar_url) {
    report({ type: "progress", text: "Fetching the avatar…" });
    try {
      await upload(site, `/api/v1/threads/${saved.id}/avatar/`, thread.author.avatar_url);
    } catch (error) {
      if (error instanceof Problem && error.fatal) throw error;
      avatarMissing = true;
    }
  }
  const summary = `Saved ${plural(saved.posts.length, "post", "posts")}, ${plural(kept, "picture", "pictures")}`;
  const avatarNote = avatarMissing ? " The avatar could not be fetched: add it in the editor." : "";
  if (missing) {
    return {
      type: "partial",
      threadId: saved.id,
      text: `${summary}. ${plural(missing, "picture", "pictures")} could not be fetched: open the thread to add them or finish without them.${avatarNote}`,
    };
  }
  await api.tabs.create({ url: editorUrl(site, saved.id) });
  return { type: "done", threadId: saved.id, text: `${summary}. The editor opened in a new tab.${avatarNote}` };
}

// The thread stays a draft while pictures are missing; the user may open
// it to add them, or finish without them (they stay as images to add).
async function finish(threadId, confirm) {
  const site = await settings();
  if (confirm) await call(site, "POST", `/api/v1/threads/${threadId}/confirm/`);
  await api.tabs.create({ url: editorUrl(site, threadId) });
  return { type: "done", threadId, text: confirm ? "Finished without the missing pictures. The editor opened in a new tab." : "The thread opened in a new tab." };
}

async function answer(message, port) {
  const report = (reply) => port.postMessage(reply);
  try {
    if (message.type === "save") report(await save(message.thread, report));
    else if (message.type === "finish") report(await finish(message.threadId, true));
    else if (message.type === "open") report(await finish(message.threadId, false));
  } catch (error) {
    const problem = error instanceof Problem ? error : new Problem(`Something went wrong: ${error.message}`);
    report({ type: "failed", text: problem.message, settings: problem.settings });
  }
}

api.runtime.onConnect.addListener((port) => {
  if (port.name !== "thread-navigator") return;
  port.onMessage.addListener((message) => answer(message, port));
});

// The connect flow: the site sends the tab it opened to
// <site>/extension/connect/done/#token=<key> once the user allowed it. The
// key travels in the fragment, which no server sees; keep it, close the tab.
api.tabs.onUpdated.addListener(async (tabId, change, tab) => {
  const address = change.url || tab.url;
  if (!address) return;
  const site = await settings();
  if (!address.startsWith(`${site.site}${CONNECT_DONE}`)) return;
  const token = new URLSearchParams(new URL(address).hash.slice(1)).get("token");
  if (!token) return;
  // Only from the tab the options page opened to connect: any other (a link
  // someone sent, carrying their own token) would save into their account.
  const { connectTab } = await api.storage.local.get({ connectTab: null });
  if (connectTab !== tabId) return;
  await api.storage.local.remove("connectTab");
  await api.storage.local.set({ token, connected: new Date().toISOString() });
  // The tab reports more than once (loading, complete): the first closes it.
  await api.tabs.remove(tabId).catch(() => {});
});

api.runtime.onMessage.addListener((message) => {
  if (message && message.type === "settings") api.runtime.openOptionsPage();
});

api.action.onClicked.addListener(() => api.runtime.openOptionsPage());
