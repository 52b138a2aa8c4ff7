// Carousel Studio: every slide as the renderer draws it, for the chosen
// size and style and the thread's arrangement (threads/arrangement.py):
// which posts in which order, cover title, end line, and slide-level
// control (a slide's own words, hidden slides, manual breaks, posts kept
// whole, cover and end shown). The arrangement is the Studio's state: each
// change is a step that can be undone, re-renders the strip and is saved
// with the thread, so exports and a reload find it as it was left.
import { api, exportAndDownload, placeholdersChoice, slowDownText } from "./client.js";
import { dragToReorder } from "./reorder.js";
import { SlideStrip } from "./strip.js";

const config = JSON.parse(document.getElementById("studio-config").textContent);
const root = document.querySelector("[data-studio]");
const strip = root.querySelector("[data-strip]");
const selected = root.querySelector("[data-selected]");
const statusLine = root.querySelector("[data-status]");
const saveLine = root.querySelector("[data-save]");
const exportStatus = root.querySelector("[data-export-status]");
const postsList = root.querySelector("[data-posts]");
const coverInput = root.querySelector("[data-cover]");
const endInput = root.querySelector("[data-end]");
const panel = root.querySelector("[data-slide-panel]");
const panelHeading = panel.querySelector("h2");
const controls = panel.querySelector("[data-slide-controls]");
const note = panel.querySelector("[data-slide-note]");

const positions = config.posts.map((post) => post.position);
const MOST_STEPS = 200;
// Keystrokes in one field less than this apart make one undo step.
const TYPING_PAUSE_MS = 1500;
const SAVE_DELAY_MS = 600;

let style = structuredClone(config.style);

// --- Small DOM helper ---------------------------------------------------------

// An element with properties, attributes (aria-*, data-*, role) and children.
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (/^(aria-|data-|role$)/.test(key)) node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
}

function button(text, props, onClick) {
  const node = el("button", { type: "button", ...props }, ...[text].flat());
  node.addEventListener("click", onClick);
  return node;
}

// --- The arrangement as state -------------------------------------------------

// `order` is every post in the list's order, ticked or not, so a post
// unticked and ticked again comes back where it was; the arrangement's
// `posts` are the ticked ones in that order.
let state = initialState(config.arrangement);
const undoSteps = [];
const redoSteps = [];
let lastStep = { group: null, at: 0 };
let typed = null; // words typed in "This slide" and not yet used: { post, slide, text }

// The state lists `posts` always (every post when none were chosen); what
// is sent leaves it out in that case (`sent`).
function initialState(saved) {
  const arrangement = {
    version: 2,
    posts: saved.posts?.length ? saved.posts : positions,
    title: saved.title ?? "",
    end_text: saved.end_text ?? "",
    breaks: saved.breaks ?? [],
    keep: saved.keep ?? [],
    slides: saved.slides ?? [],
    cover: saved.cover ?? true,
    end: saved.end ?? true,
  };
  return { arrangement, order: withLeftOut(arrangement.posts) };
}

// A saved arrangement keeps no place for the posts it leaves out: each goes
// back after the post before it in the thread, so the list reads like it.
function withLeftOut(chosen) {
  const order = [...chosen];
  for (const position of positions) {
    if (!order.includes(position)) order.splice(order.indexOf(position - 1) + 1, 0, position);
  }
  return order;
}

// One undoable step: `edit` changes `state` in place. Steps of the same
// `group` (typing in one field) close together make one step. A step keeps
// the slide selected then, which undoing it selects again.
function change(edit, group = null) {
  const before = snapshot();
  edit(state);
  if (JSON.stringify(before.state) === JSON.stringify(state)) return;
  const now = Date.now();
  if (!group || lastStep.group !== group || now - lastStep.at > TYPING_PAUSE_MS) {
    undoSteps.push(before);
    if (undoSteps.length > MOST_STEPS) undoSteps.shift();
  }
  lastStep = { group, at: now };
  redoSteps.length = 0;
  applied();
}

function snapshot() {
  return { state: structuredClone(state), selection: keyOf(pages[current - 1]) };
}

function travel(from, to) {
  if (!from.length) return;
  to.push(snapshot());
  const back = from.pop();
  state = back.state;
  want = back.selection;
  lastStep = { group: null, at: 0 };
  typed = null; // the panel shows the words of the step restored
  applied();
}

const undo = () => travel(undoSteps, redoSteps);
const redo = () => travel(redoSteps, undoSteps);

function applied() {
  drawArrangement();
  schedule();
  saveSoon();
}

// --- Edits (each on an arrangement, in place) -------------------------------------

const byPostThen = (key) => (one, other) => one.post - other.post || one[key] - other[key];

function slideEntry(arrangement, post, slide) {
  return arrangement.slides.find((item) => item.post === post && item.slide === slide);
}

// A slide's own words (`text`, undefined: the post's) and whether it is
// hidden; an entry with neither is dropped (the validator refuses it).
function setSlide(arrangement, post, slide, changes) {
  const old = slideEntry(arrangement, post, slide) ?? {};
  const { text, hidden } = { ...old, ...changes };
  arrangement.slides = arrangement.slides.filter((item) => item !== old);
  if (text === undefined && !hidden) return;
  arrangement.slides.push({ post, slide, ...(text !== undefined && { text }), ...(hidden && { hidden: true }) });
  arrangement.slides.sort(byPostThen("slide"));
}

function setBreak(arrangement, post, paragraph, on) {
  arrangement.breaks = arrangement.breaks.filter((spot) => spot.post !== post || spot.paragraph !== paragraph);
  if (on) arrangement.breaks.push({ post, paragraph });
  arrangement.breaks.sort(byPostThen("paragraph"));
}

function setKeep(arrangement, post, on) {
  arrangement.keep = arrangement.keep.filter((position) => position !== post);
  if (on) arrangement.keep = [...arrangement.keep, post].sort((one, other) => one - other);
}

function setTicked(next, position, on) {
  const ticked = new Set(next.arrangement.posts);
  if (on) ticked.add(position);
  else ticked.delete(position);
  next.arrangement.posts = next.order.filter((each) => ticked.has(each));
}

function move(next, index, step) {
  moveTo(next, next.order[index], next.order[index + step]);
}

// `position` takes `target`'s place in the order (dragged onto it, or moved
// one step past it); the posts between shift by one.
function moveTo(next, position, target) {
  const from = next.order.indexOf(position);
  const to = next.order.indexOf(target);
  if (from < 0 || to < 0 || from === to) return;
  next.order.splice(from, 1);
  next.order.splice(to, 0, position);
  next.arrangement.posts = next.order.filter((each) => next.arrangement.posts.includes(each));
}

// The thread's own title is kept as "" (the cover then follows a renamed thread).
function coverTitle(value) {
  return value.trim() === config.title.trim() ? "" : value;
}

// --- The left panel and "Slides shown", drawn from the state ----------------------

function drawArrangement() {
  const { arrangement } = state;
  drawPosts();
  if (coverTitle(coverInput.value) !== arrangement.title) coverInput.value = arrangement.title || config.title;
  if (endInput.value !== arrangement.end_text) endInput.value = arrangement.end_text;
  for (const box of panel.querySelectorAll("[data-show]")) box.checked = arrangement[box.dataset.show];
  drawHidden();
  drawHistory();
}

// A pressed Undo or Redo that runs out passes the focus to the other one,
// which now has a step (a disabled button would drop it).
function drawHistory() {
  const undoButton = root.querySelector("[data-undo]");
  const redoButton = root.querySelector("[data-redo]");
  const focused = document.activeElement;
  undoButton.disabled = !undoSteps.length;
  redoButton.disabled = !redoSteps.length;
  if (focused === undoButton && undoButton.disabled) redoButton.focus();
  if (focused === redoButton && redoButton.disabled) undoButton.focus();
}

// Rebuilt only when the order changes (a tick leaves the list as it is,
// so the box keeps the focus); a moved post's arrow keeps it.
function drawPosts() {
  const ticked = state.arrangement.posts;
  const drawn = JSON.stringify(state.order);
  if (postsList.dataset.drawn === drawn) {
    for (const box of postsList.querySelectorAll("input")) box.checked = ticked.includes(Number(box.dataset.post));
    return;
  }
  const focused = postsList.contains(document.activeElement) ? document.activeElement.dataset.focus : undefined;
  postsList.dataset.drawn = drawn;
  postsList.replaceChildren(...state.order.map((position, index) => postItem(position, index, ticked)));
  if (focused === undefined) return;
  const [, position] = focused.split("-");
  (postsList.querySelector(`[data-focus="${focused}"]:not(:disabled)`)
    ?? postsList.querySelector(`[data-focus="tick-${position}"]`)).focus();
}

function postItem(position, index, ticked) {
  const post = config.posts.find((candidate) => candidate.position === position);
  const box = el("input", {
    type: "checkbox", checked: ticked.includes(position), "data-post": position, "data-focus": `tick-${position}`,
  });
  box.addEventListener("change", () => {
    // A carousel keeps at least one post.
    if (!box.checked && state.arrangement.posts.length === 1) box.checked = true;
    else change((next) => setTicked(next, position, box.checked));
  });
  const last = state.order.length - 1;
  const moveBy = (step) => () => change((next) => move(next, index, step));
  return el(
    "li",
    { draggable: true, "data-position": position, title: "Drag to move, or use the arrows" },
    el("label", { className: "inline", dir: "auto" }, box, ` ${position}. ${post.text || "(empty)"}`),
    arrow("↑", `Move post ${position} up`, index === 0, `up-${position}`, moveBy(-1)),
    arrow("↓", `Move post ${position} down`, index === last, `down-${position}`, moveBy(1)),
  );
}

function arrow(text, name, disabled, focus, onClick) {
  return button(text, { className: "secondary small", disabled, "aria-label": name, "data-focus": focus }, onClick);
}

function drawHidden() {
  const hidden = state.arrangement.slides.filter((item) => item.hidden);
  const list = panel.querySelector("[data-hidden-list]");
  const hadFocus = list.contains(document.activeElement);
  panel.querySelector("[data-hidden-heading]").hidden = !hidden.length;
  list.replaceChildren(...hidden.map(({ post, slide }) => el(
    "li",
    {},
    el("span", {}, `Post ${post}, part ${slide}`),
    button("Show", { className: "small", "aria-label": `Show post ${post}, part ${slide}` }, () => {
      want = { role: "post", post, slide };
      change((next) => setSlide(next.arrangement, post, slide, { hidden: false }));
    }),
  )));
  // The button pressed is gone; the slide it brings back gets selected.
  if (hadFocus) panelHeading.focus();
}

// --- Rendering: the slides' descriptions, then the images in view -------------------

let pages = []; // /render/slides/ as last shown
let current = 1;
let want = null; // the slide to select once the next render lands
let timer = null;
let controller = null;
// What the status line says: a problem, else a rate limit's wait, else
// whether slides are still coming.
const status = { problem: "", waiting: 0, laying: false, drawing: false };

const slideStrip = new SlideStrip(strip, {
  previewUrl: config.urls.preview,
  describe: (slide) => {
    const name = `Slide ${slide.page} of ${pages.length}`;
    return { name, label: `${name}: ${shows(slide)}`, edited: edited(slide) };
  },
  choose: (page) => choose(page),
  selected: (url, slide) => {
    if (url) selected.src = url;
    else selected.removeAttribute("src");
    selected.alt = slide.alt || `Slide ${slide.page}`;
  },
  busy: (yes) => say({ drawing: yes }),
  onWait: (seconds) => say({ waiting: seconds }),
  onError: (error) => say({ problem: error.message }),
});

function say(changes) {
  Object.assign(status, changes);
  const { problem, waiting, laying, drawing } = status;
  statusLine.textContent = problem || (waiting ? slowDownText(waiting) : laying || drawing ? "Rendering slides…" : "");
}

function styled() {
  const size = root.querySelector('input[name="size"]:checked').value;
  const value = (selector) => root.querySelector(selector).value;
  return {
    ...style,
    canvas: { ...style.canvas, size },
    text: {
      ...style.text,
      fit: value("[data-compose-fit]"),
      fit_min: Number(value("[data-compose-min]")),
      fit_max: Number(value("[data-compose-max]")),
    },
    card: { ...style.card, align: value("[data-compose-align]") },
    carousel: { ...style.carousel, pack: root.querySelector("[data-compose-pack]").checked },
  };
}

// The layout controls show the chosen style's composition (defaults for
// a style saved before it had one).
function fillComposition() {
  root.querySelector("[data-compose-fit]").value = style.text.fit ?? "off";
  root.querySelector("[data-compose-min]").value = style.text.fit_min ?? config.composition.fit_min;
  root.querySelector("[data-compose-max]").value = style.text.fit_max ?? config.composition.fit_max;
  root.querySelector("[data-compose-align]").value = style.card.align ?? "top";
  root.querySelector("[data-compose-pack]").checked = Boolean(style.carousel?.pack);
  showFitRange();
}

function showFitRange() {
  root.querySelector("[data-fit-range]").hidden = root.querySelector("[data-compose-fit]").value !== "slide";
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 200);
}

// The arrangement as sent: without `posts` when every post is ticked in the
// thread's order, so a post added to the thread later shows up too.
function sent() {
  const { posts, ...rest } = state.arrangement;
  const every = posts.length === positions.length && posts.every((position, index) => position === positions[index]);
  return every ? rest : state.arrangement;
}

function asked() {
  return {
    thread: config.thread,
    kind: "carousel",
    style: styled(),
    carousel: sent(),
    placeholders: placeholdersChoice(root),
  };
}

// One layout in flight: a newer one cancels it, so the latest wins. The
// strip then fetches only the images in view that changed.
async function refresh() {
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  const body = asked();
  say({ problem: "", laying: true });
  panel.setAttribute("aria-busy", "true");
  try {
    const onWait = (seconds) => say({ waiting: seconds });
    const { slides } = await api(config.urls.slides, { method: "POST", body, signal, onWait });
    if (signal.aborted) return;
    show(slides, body);
  } catch (error) {
    if (error.name !== "AbortError") say({ problem: error.message });
  } finally {
    if (!signal.aborted) {
      panel.removeAttribute("aria-busy");
      say({ laying: false });
    }
  }
}

function show(slides, body) {
  const key = want ?? keyOf(pages[current - 1]);
  want = null;
  pages = slides;
  slideStrip.show(slides, body, root.querySelector('input[name="size"]:checked').dataset.ratio);
  root.querySelector("[data-count]").textContent = `${slides.length} slides`;
  select(find(key) ?? Math.min(current, slides.length));
}

function keyOf(slide) {
  return slide && { role: slide.role, post: slide.posts[0], slide: slide.slide };
}

// The page showing `key` now: the same slide of the same post, else (it
// was hidden) the post's next slide, else its last; the cover or end.
function find(key) {
  if (!key) return null;
  if (key.role !== "post") return pages.find((page) => page.role === key.role)?.page ?? null;
  const ofPost = pages.filter((page) => page.role === "post" && page.posts.includes(key.post));
  const same = ofPost.find((page) => page.slide === key.slide);
  return (same ?? ofPost.find((page) => page.slide > key.slide) ?? ofPost.at(-1))?.page ?? null;
}

function edited(slide) {
  return slide.posts.length === 1 && slideEntry(state.arrangement, slide.posts[0], slide.slide)?.text !== undefined;
}

function shows(slide) {
  if (slide.role === "cover") return "the cover";
  if (slide.role === "end") return "the end slide";
  if (slide.posts.length > 1) return `posts ${listed(slide.posts)}`;
  return `post ${slide.posts[0]}, part ${slide.slide}${edited(slide) ? ", your words" : ""}`;
}

function listed(items) {
  return items.length < 2 ? `${items[0]}` : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

// A slide the user chose: what the panel said of the last one goes.
function choose(page) {
  note.textContent = "";
  select(page);
}

function select(page) {
  current = page;
  slideStrip.select(page);
  drawPanel(pages[page - 1]);
}

// Posts move by dragging, in the list or by their slides in the strip;
// the arrows beside each post, and Alt+← → on a slide, do the same.
dragToReorder(postsList, {
  itemSelector: "li[data-position]",
  keyOf: (item) => Number(item.dataset.position),
  onMove: (position, target) => change((next) => moveTo(next, position, target)),
});
dragToReorder(strip, {
  itemSelector: "[data-post]",
  keyOf: (item) => Number(item.dataset.post) || null,
  onMove: (position, target) => change((next) => moveTo(next, position, target)),
});

function movePostOf(page, step) {
  const slide = pages[page - 1];
  if (slide?.role !== "post" || slide.posts.length !== 1) return;
  const index = state.order.indexOf(slide.posts[0]);
  if (state.order[index + step] === undefined) return;
  change((next) => move(next, index, step));
}

// ← → move along the strip while a slide has the focus; Alt+← → move its post.
strip.addEventListener("keydown", (event) => {
  const step = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
  if (step && event.altKey) {
    event.preventDefault();
    movePostOf(current, step);
    return;
  }
  const page = current + (step ?? 0);
  if (!step || page < 1 || page > pages.length) return;
  event.preventDefault();
  choose(page);
  strip.children[page - 1].querySelector("button").focus();
});

// --- "This slide" -----------------------------------------------------------------

let panelShows = null; // the key of the slide "This slide" shows

// Redrawn after every render: the focus stays on the same control (by its
// data-focus name) while the panel shows the same slide, else (the slide
// was hidden, joined, or the control is gone) it goes to the heading, so
// a second press never acts on another slide.
function drawPanel(slide) {
  const active = document.activeElement;
  const focused = panel.contains(active) ? active.dataset.focus : undefined;
  const caret = focused === "words" ? [active.selectionStart, active.selectionEnd] : null;
  const same = JSON.stringify(panelShows) === JSON.stringify(keyOf(slide));
  panelShows = keyOf(slide);
  panel.querySelector("[data-slide-what]").textContent = `Slide ${slide.page} of ${pages.length}: ${shows(slide)}.`;
  controls.replaceChildren(...controlsFor(slide));
  if (focused === undefined) return;
  const again = (same && controls.querySelector(`[data-focus="${focused}"]`)) || panelHeading;
  again.focus();
  if (caret && again.dataset.focus === "words") again.setSelectionRange(...caret);
}

function controlsFor(slide) {
  if (slide.role === "cover") {
    return [el("p", { className: "help" }, "The cover title over the author: change it under Cover title.")];
  }
  if (slide.role === "end") {
    return [el("p", { className: "help" }, "The author and your end line: change it under End slide line.")];
  }
  if (slide.posts.length > 1) return sharedControls(slide);
  return postControls(slide, slide.posts[0]);
}

// Packed posts' words are not told apart on their slide, so they are
// edited once each post has its own.
function sharedControls(slide) {
  const pack = root.querySelector("[data-compose-pack]");
  return [
    el("p", { className: "help" }, `Posts ${listed(slide.posts)} share this slide. Their words, breaks and hiding `
      + "can be changed once each post has a slide of its own."),
    button("Give each post its own slide", { "data-focus": "unpack" }, () => {
      pack.checked = false;
      pack.dispatchEvent(new Event("change", { bubbles: true }));
    }),
  ];
}

function postControls(slide, post) {
  const own = slideEntry(state.arrangement, post, slide.slide)?.text;
  const words = typed?.post === post && typed.slide === slide.slide ? typed.text : own ?? slide.text;
  const area = el("textarea", {
    id: "slide-words", rows: 8, maxLength: config.slideTextLimit, value: words, "data-focus": "words",
  });
  area.addEventListener("input", () => { typed = { post, slide: slide.slide, text: area.value }; });
  const actions = el(
    "div",
    { className: "slide-actions" },
    button("Use these words", { className: "primary", "data-focus": "use" }, () => useWords(post, slide, area.value)),
  );
  if (own !== undefined) {
    actions.append(button("Back to the post's words", { "data-focus": "post-words" }, () => {
      typed = null;
      change((next) => setSlide(next.arrangement, post, slide.slide, { text: undefined }));
    }));
  }
  return [
    el("label", { htmlFor: "slide-words" }, "Words on this slide"),
    area,
    actions,
    ...breakControls(slide, post),
    keepControl(post),
    button("Hide this slide", { className: "danger-quiet", "data-focus": "hide", disabled: pages.length < 2 }, () => {
      change((next) => setSlide(next.arrangement, post, slide.slide, { hidden: true }));
    }),
  ];
}

function useWords(post, slide, text) {
  const own = slideEntry(state.arrangement, post, slide.slide)?.text;
  if (!text.trim()) {
    note.textContent = "Type the words for this slide, or hide it.";
    return;
  }
  // The slide's words left as they are would mark it "your words" for nothing.
  if (own === undefined && text === slide.text) {
    note.textContent = "These are the slide's words already.";
    return;
  }
  typed = null;
  note.textContent = "";
  change((next) => setSlide(next.arrangement, post, slide.slide, { text }));
}

// Where a manual break may go: each paragraph beginning on the slide that
// is not its first line. The slide's text has one more block than
// `paragraphs` when it opens with the end of a paragraph cut before it.
function breakControls(slide, post) {
  const blocks = slide.text.split("\n\n");
  const continued = blocks.length > slide.paragraphs.length;
  const offset = blocks.length - slide.paragraphs.length;
  const spots = slide.paragraphs
    .map((paragraph, at) => ({ paragraph, words: blocks[offset + at] }))
    .slice(continued ? 0 : 1);
  const found = [];
  if (spots.length) {
    found.push(el("div", { className: "slide-breaks" }, ...spots.map(({ paragraph, words }) => button(
      [`New slide from paragraph ${paragraph}`, el("span", { className: "first-words" }, firstWords(words))],
      { "data-focus": `break-${paragraph}` },
      () => {
        change((next) => setBreak(next.arrangement, post, paragraph, true));
        warnIfHeld(post, slide.slide);
      },
    ))));
  }
  const first = slide.paragraphs[0];
  const manual = !continued
    && state.arrangement.breaks.some((spot) => spot.post === post && spot.paragraph === first);
  if (manual) {
    found.push(button("Join with the slide before", { "data-focus": "join" }, () => {
      want = { role: "post", post, slide: slide.slide - 1 };
      change((next) => setBreak(next.arrangement, post, first, false));
      warnIfHeld(post, slide.slide - 1);
    }));
  }
  return found;
}

function firstWords(text) {
  const words = text.split(/\s+/).filter(Boolean);
  return `“${words.slice(0, 6).join(" ")}${words.length > 6 ? "…" : ""}”`;
}

function keepControl(post) {
  const box = el("input", { type: "checkbox", checked: state.arrangement.keep.includes(post), "data-focus": "keep" });
  box.addEventListener("change", () => {
    change((next) => setKeep(next.arrangement, post, box.checked));
    warnIfHeld(post, 0);
  });
  return el("label", { className: "inline" }, box, ` Keep post ${post} on one slide`);
}

// Own words and hidden slides hold to a part's number, not to paragraphs:
// once a post is cut anew, its parts after `from` may hold other words.
function warnIfHeld(post, from) {
  const held = state.arrangement.slides.some((item) => item.post === post && item.slide > from);
  note.textContent = held ? `Post ${post} is cut anew: check its parts with your words or hidden.` : "";
}

// --- Saving ---------------------------------------------------------------------

let saveTimer = null;
let saved = JSON.stringify(sent());
let saving = Promise.resolve();

// Quiet until a save ends; the line clears at once so "Saved" always
// means the latest change.
function saveSoon() {
  clearTimeout(saveTimer);
  sayState("");
  saveTimer = setTimeout(() => { saving = saving.then(save); }, SAVE_DELAY_MS);
}

// Saves run one after another (`saving` chains them): a slow one never
// lands after a newer one.
async function save() {
  const body = sent();
  const wanted = JSON.stringify(body);
  try {
    if (wanted !== saved) {
      const onWait = (seconds) => sayState(slowDownText(seconds));
      await api(config.urls.thread, { method: "PATCH", body: { arrangement: body }, onWait });
    }
    saved = wanted;
    if (JSON.stringify(sent()) === wanted) sayState("Saved");
  } catch (error) {
    sayState(`Not saved: ${error.message}`, true);
  }
}

function sayState(message, problem = false) {
  saveLine.textContent = message;
  saveLine.classList.toggle("problem", problem);
}

// Leaving within the save delay still saves (keepalive outlives the page).
window.addEventListener("pagehide", () => {
  if (JSON.stringify(sent()) === saved) return;
  const body = { arrangement: sent() };
  api(config.urls.thread, { method: "PATCH", body, keepalive: true }).catch(() => {});
});

// --- Events -----------------------------------------------------------------------

root.addEventListener("input", (event) => {
  const { target } = event;
  if (target === coverInput) change((next) => { next.arrangement.title = coverTitle(target.value); }, "title");
  if (target === endInput) change((next) => { next.arrangement.end_text = target.value; }, "end_text");
});
root.addEventListener("change", (event) => {
  const { target } = event;
  if (target.name === "size" || target.matches("[data-leave-out]")) schedule();
  if (target.matches("[data-show]")) change((next) => { next.arrangement[target.dataset.show] = target.checked; });
  if (target.closest("[data-compose]")) {
    showFitRange();
    schedule();
  }
  if (target.matches("[data-preset]")) {
    const preset = config.presets.find((candidate) => String(candidate.id) === target.value);
    style = structuredClone(preset ? preset.style : config.style);
    fillComposition();
    schedule();
  }
});

root.querySelector("[data-undo]").addEventListener("click", undo);
root.querySelector("[data-redo]").addEventListener("click", redo);

// In a text field the browser's own undo works on the text being typed.
function typing(target) {
  return target.matches("textarea, input:not([type=checkbox], [type=radio], [type=button], [type=submit])");
}

document.addEventListener("keydown", (event) => {
  const key = event.key.toLowerCase();
  if (!(event.ctrlKey || event.metaKey) || event.altKey || !["z", "y"].includes(key) || typing(event.target)) return;
  event.preventDefault();
  if (key === "y" || event.shiftKey) redo();
  else undo();
});

for (const exportButton of root.querySelectorAll("[data-export]")) {
  exportButton.addEventListener("click", () => exportAndDownload(
    config.urls.jobs,
    {
      kind: "carousel",
      thread: config.thread,
      format: exportButton.dataset.export,
      style: styled(),
      carousel: sent(),
      placeholders: placeholdersChoice(root),
    },
    (message) => { exportStatus.textContent = message; },
  ));
}

fillComposition();
drawArrangement();
refresh();
