// Threads from X. On import/x/ (the window the bookmarklet opens): take the
// thread the bookmarklet read on x.com, show it, and save it with the
// session: the thread through the import API, each picture into its
// placeholder, the avatar, then the editor. On extension/: a click on the
// bookmarklet link here says to drag it instead.
//
// The handshake: this window says "ready" to its opener (only if the opener
// is on x.com: the target origin sees to that), the bookmarklet answers with
// {type, thread, pictures} (pictures: Blobs by URL, those x.com's CSP let it
// fetch). Messages from any other origin or window are ignored.
import { api, csrf, fetchPolitely, slowDownText } from "./client.js";

const READY = "thread-navigator:ready";
const THREAD = "thread-navigator:thread";
const X_ORIGINS = [
  "https://x.com", "https://www.x.com", "https://mobile.x.com",
  "https://twitter.com", "https://www.twitter.com", "https://mobile.twitter.com",
];
// Where pictures may be fetched from (the page's CSP allows these too).
const PICTURE_HOSTS = ["pbs.twimg.com", "abs.twimg.com"];
const MAX_PICTURE_BYTES = 20 * 1024 * 1024;
const MAX_POSTS = 500;
// The thread waits here until it is saved, so signing in (which cuts this
// window off from x.com) loses nothing. Pictures are not kept: they are
// fetched again from X.
const KEPT = "thread-navigator:capture";
const EXTENSIONS = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif" };

// --- What may come in -------------------------------------------------------

const isText = (value) => typeof value === "string";
const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
const optionalText = (value) => value === undefined || isText(value);

function pictureUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && PICTURE_HOSTS.includes(url.hostname);
  } catch {
    return false;
  }
}

function imageOf(image) {
  if (!isObject(image) || !optionalText(image.url) || !optionalText(image.alt)) return null;
  return { ...(image.url ? { url: image.url } : {}), ...(image.alt ? { alt: image.alt } : {}) };
}

function postOf(post) {
  if (!isObject(post) || !isText(post.text) || !optionalText(post.id)) return null;
  if (post.images !== undefined && !Array.isArray(post.images)) return null;
  const images = (post.images || []).map(imageOf);
  if (images.includes(null)) return null;
  return { ...(post.id ? { id: post.id } : {}), text: post.text, images };
}

// The thread in the contract's shape, rebuilt from known fields only, or
// null when it is not one.
function threadOf(thread) {
  if (!isObject(thread) || !isObject(thread.author) || !Array.isArray(thread.posts)) return null;
  const { name, handle, avatar_url: avatar } = thread.author;
  if (!isText(name) || !isText(handle) || !optionalText(avatar)) return null;
  if (!optionalText(thread.title) || !optionalText(thread.source_url)) return null;
  if (thread.posts.length === 0 || thread.posts.length > MAX_POSTS) return null;
  const posts = thread.posts.map(postOf);
  if (posts.includes(null)) return null;
  return {
    ...(thread.title ? { title: thread.title } : {}),
    ...(thread.source_url ? { source_url: thread.source_url } : {}),
    author: { name, handle, ...(avatar ? { avatar_url: avatar } : {}) },
    posts,
  };
}

function picturesOf(pictures) {
  const found = new Map();
  if (!isObject(pictures)) return found;
  for (const [url, blob] of Object.entries(pictures)) {
    const usable = blob instanceof Blob && blob.type.startsWith("image/") && blob.size <= MAX_PICTURE_BYTES;
    if (pictureUrl(url) && usable) found.set(url, blob);
  }
  return found;
}

// --- Showing it -------------------------------------------------------------

const root = document.querySelector("[data-capture]");
const part = (name) => root.querySelector(`[data-${name}]`);
const say = (text) => { part("status").textContent = text; };
const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
const picturesIn = (thread) => thread.posts.flatMap((post) => post.images.filter((image) => image.url));

function pictureSource(url, pictures) {
  if (pictures.has(url)) return URL.createObjectURL(pictures.get(url));
  return pictureUrl(url) ? url : null;
}

function show({ thread, pictures }) {
  part("waiting").hidden = true;
  part("found").hidden = false;
  part("name").textContent = thread.author.name || thread.author.handle;
  part("handle").textContent = thread.author.handle ? `@${thread.author.handle}` : "";
  const avatar = thread.author.avatar_url && pictureSource(thread.author.avatar_url, pictures);
  if (avatar) Object.assign(part("avatar"), { src: avatar, hidden: false });
  const images = picturesIn(thread);
  part("summary").textContent = `${plural(thread.posts.length, "post")} · ${plural(images.length, "picture")}`;
  const lines = thread.posts.slice(0, 3).map((post) => {
    const item = document.createElement("li");
    item.dir = "auto";
    item.textContent = post.text.split("\n").find((line) => line.trim()) || "(no text)";
    return item;
  });
  if (thread.posts.length > 3) {
    const more = Object.assign(document.createElement("li"), { className: "muted" });
    more.textContent = `…and ${plural(thread.posts.length - 3, "more post")}`;
    lines.push(more);
  }
  part("first-lines").replaceChildren(...lines);
  part("thumbs").replaceChildren(...images.flatMap((image) => {
    const src = pictureSource(image.url, pictures);
    if (!src) return [];
    const thumb = Object.assign(document.createElement("img"), { src, alt: image.alt || "" });
    thumb.addEventListener("error", () => thumb.remove()); // X would not give it: saving says so
    return [thumb];
  }));
}

// --- Keeping it across a sign-in -----------------------------------------------

function keep(thread) {
  try {
    sessionStorage.setItem(KEPT, JSON.stringify(thread));
  } catch {
    // Storage full or off: the thread can still be saved from this page.
  }
}

function kept() {
  try {
    return threadOf(JSON.parse(sessionStorage.getItem(KEPT) || "null"));
  } catch {
    return null;
  }
}

// --- Saving it ----------------------------------------------------------------

async function fetchPicture(url) {
  if (!pictureUrl(url)) return null;
  try {
    const response = await fetch(url, { mode: "cors", credentials: "omit" });
    const blob = response.ok ? await response.blob() : null;
    return blob && blob.type.startsWith("image/") && blob.size <= MAX_PICTURE_BYTES ? blob : null;
  } catch {
    return null;
  }
}

async function upload(url, fields) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value instanceof Blob) form.append(name, value, `${name}.${EXTENSIONS[value.type] || "img"}`);
    else form.append(name, value);
  }
  // A long thread's pictures can outrun the plan's requests a minute: the
  // rate limit's short waits are sat out rather than the pictures dropped.
  const response = await fetchPolitely(url, {
    method: "POST",
    headers: { Accept: "application/json", "X-CSRFToken": csrf() },
    body: form,
  }, (seconds) => say(slowDownText(seconds)));
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || `HTTP ${response.status}`);
  return data;
}

// Fill each placeholder that names where its picture is on X. Returns the
// posts (positions) whose pictures could not be added.
async function addPictures(saved, pictures) {
  const wanted = saved.posts.flatMap((post) =>
    post.images.filter((image) => image.is_placeholder && image.source_url).map((image) => ({ post, image })));
  const missing = [];
  for (const [index, { post, image }] of wanted.entries()) {
    say(`Adding picture ${index + 1} of ${wanted.length}…`);
    const blob = pictures.get(image.source_url) || await fetchPicture(image.source_url);
    try {
      if (!blob) throw new Error("not fetched");
      const url = `/api/v1/threads/${saved.id}/posts/${post.position}/images/`;
      await upload(url, { file: blob, placeholder: String(image.id), ...(image.alt ? { alt: image.alt } : {}) });
    } catch {
      missing.push(post.position);
    }
  }
  return missing;
}

// The avatar matters less than the pictures: one that cannot be had is
// told about, but does not hold the thread back.
async function addAvatar(saved, thread, pictures) {
  const url = thread.author.avatar_url;
  if (!url) return true;
  const blob = pictures.get(url) || await fetchPicture(url);
  if (!blob) return false;
  try {
    await upload(`/api/v1/threads/${saved.id}/avatar/`, { file: blob });
    return true;
  } catch {
    return false;
  }
}

function offerToFinish(saved, missing, avatarAdded) {
  const posts = [...new Set(missing)];
  const where = posts.length === 1 ? `post ${posts[0]}` : `posts ${posts.slice(0, -1).join(", ")} and ${posts.at(-1)}`;
  const [pictures, them] = missing.length === 1 ? ["1 picture", "it is"] : [`${missing.length} pictures`, "they are"];
  const avatar = avatarAdded ? "" : " The avatar could not be fetched either.";
  part("missing-text").textContent = `The thread is saved, but ${pictures} could not be fetched from X (${where}): `
    + `it stays a draft until ${them} added or you finish without ${missing.length === 1 ? "it" : "them"}.${avatar}`;
  part("open-thread").href = `/threads/${saved.id}/?post=${posts[0]}`;
  part("missing").hidden = false;
  say("");
  part("finish").addEventListener("click", async () => {
    part("finish").disabled = true;
    try {
      await api(`/api/v1/threads/${saved.id}/confirm/`, { method: "POST" });
      location.assign(`/threads/${saved.id}/editor/`);
    } catch (error) {
      say(error.message);
      part("finish").disabled = false;
    }
  });
}

async function save(capture) {
  const button = part("save");
  button.disabled = true;
  try {
    say("Saving the thread…");
    const saved = await api("/api/v1/threads/import/", {
      method: "POST",
      body: { format: "json", content: capture.thread, await_images: true },
      onWait: (seconds) => say(slowDownText(seconds)),
    });
    const missing = await addPictures(saved, capture.pictures);
    say("Adding the avatar…");
    const avatarAdded = await addAvatar(saved, capture.thread, capture.pictures);
    sessionStorage.removeItem(KEPT);
    part("save-actions").hidden = true;
    if (missing.length) {
      offerToFinish(saved, missing, avatarAdded);
      return;
    }
    say("Saved. Opening the editor…");
    location.assign(`/threads/${saved.id}/editor/`);
  } catch (error) {
    say(error.message);
    button.disabled = false;
  }
}

// --- The window -------------------------------------------------------------------

function receiveFromX() {
  let capture = null;
  const begin = (thread, pictures) => {
    capture = { thread, pictures };
    show(capture);
  };
  const restored = kept();
  if (restored) begin(restored, new Map());
  part("save")?.addEventListener("click", () => capture && save(capture));
  window.addEventListener("message", (event) => {
    if (!X_ORIGINS.includes(event.origin) || event.source !== window.opener) return;
    if (!isObject(event.data) || event.data.type !== THREAD) return;
    const thread = threadOf(event.data.thread);
    if (!thread) {
      say("What came from X is not a thread this page can read. Reload the post on x.com and try again.");
      return;
    }
    keep(thread);
    begin(thread, picturesOf(event.data.pictures));
    say("");
  });
  if (!window.opener) {
    // Opened by hand, or X's page cut this window off from it.
    part("waiting-text").textContent = "Nothing to save yet: click the bookmark on a post on x.com.";
    return;
  }
  // A target origin that does not match the opener's drops the message, so
  // "ready" reaches only a page on X.
  for (const origin of X_ORIGINS) window.opener.postMessage({ type: READY }, origin);
}

function explainBookmarklet() {
  const link = document.querySelector("[data-bookmarklet]");
  link.addEventListener("click", (event) => {
    event.preventDefault();
    document.querySelector("[data-bookmarklet-note]").textContent =
      "Drag this button to your bookmarks bar, then click the bookmark on a post on x.com (it does nothing here).";
  });
}

if (root) receiveFromX();
if (document.querySelector("[data-bookmarklet]")) explainBookmarklet();
