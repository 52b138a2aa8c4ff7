// The visual editor. The style document lives here; every change asks the
// server for its real render (POST /api/v1/render/preview/). No debounce:
// one preview request is in flight at a time, and when it comes back the
// latest style goes next, so a drag shows a new image as fast as the server
// renders and never queues stale ones (a 120 ms debounce made the median
// change take 213 ms to show; bench/editor_feel.py). The style is saved as the thread's draft as it changes (PATCH
// /api/v1/threads/{id}/), with undo and redo over every edit. In trial mode
// (a visitor's draft, config.trial) previews and the style go to the trial
// endpoints, nothing is saved to an account, and Export asks to sign up.
import { api, csrf, exportAndDownload, placeholdersChoice, previewImage, slowDownText } from "./client.js";
import { isTextEntry, labelModifier, shortcutSheet } from "./shortcuts.js";
import { History } from "./undo.js";

const config = JSON.parse(document.getElementById("editor-config").textContent);
const trial = Boolean(config.trial);
const root = document.querySelector("[data-editor]");
const preview = root.querySelector("[data-preview]");
const statusLine = root.querySelector("[data-status]");
const exportStatus = root.querySelector("[data-export-status]");
const draftStatus = root.querySelector("[data-draft-status]");
const costLine = root.querySelector("[data-export-cost]");
const sizeSelect = root.querySelector("[data-size]");
const presetSelect = root.querySelector("[data-preset]");
const updateButton = root.querySelector("[data-update]");
const toastBox = document.querySelector("[data-toast]");
const EXPORT_KEY = "tn.export";
// The draft is saved and the export's cost asked once edits pause: the
// plan's API budget (60 requests a minute on Free) counts these calls.
const DRAFT_SAVE_MS = 1200;
const QUOTE_MS = 1200;
const COPY_REFUSED = "Your browser would not let us copy the image; use Download instead.";

let style = structuredClone(config.style);
let kind = "cards";
let page = 1;
let pages = 1;
let presetId = config.preset;
let touched = false; // a style edit since the preset was applied (or saved)

// --- Small helpers ----------------------------------------------------------------

function get(path) {
  return path.split(".").reduce((node, key) => (node == null ? undefined : node[key]), style);
}

function set(path, value) {
  const keys = path.split(".");
  let node = style;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys.at(-1)] = value;
}

function hex6(colour) {
  if (!colour) return "#000000";
  if (colour.length === 4) return `#${[...colour.slice(1)].map((c) => c + c).join("")}`;
  return colour.slice(0, 7);
}

// JSON with sorted keys: two documents with equal values compare equal.
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

// "Saved the preset “<name>”." with the name isolated (it may be right-to-left).
function sayNamed(element, before, name, after) {
  const isolate = Object.assign(document.createElement("bdi"), { textContent: name });
  element.replaceChildren(before, isolate, after);
}

let toastTimer = null;
function toast(message) {
  toastBox.textContent = message;
  toastBox.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toastBox.hidden = true; }, 3500);
}

// --- Undo, redo and every edit ------------------------------------------------------

const steps = new History({
  read: () => ({ style, preset: presetId }),
  write: (snapshot) => {
    style = snapshot.style;
    presetId = snapshot.preset;
    presetSelect.value = presetId ?? "";
    touched = true;
    fill();
    styleChanged();
  },
  onChange: showHistory,
});

function showHistory() {
  root.querySelector("[data-undo]").disabled = !steps.canUndo;
  root.querySelector("[data-redo]").disabled = !steps.canRedo;
}

// Everything that follows a change of the style: the preview, the draft,
// the export's cost, the preset's state.
function styleChanged() {
  schedule();
  scheduleDraft();
  scheduleQuote(QUOTE_MS);
  showPresetState();
  drawSizes();
}

// Record `key`'s edit (call before changing the style), then change it.
function edit(key, change) {
  steps.edit(key);
  change();
  touched = true;
  styleChanged();
}

root.querySelector("[data-undo]").addEventListener("click", () => steps.undo());
root.querySelector("[data-redo]").addEventListener("click", () => steps.redo());

// --- Controls ---------------------------------------------------------------------

function showValue(control) {
  const output = root.querySelector(`[data-show="${control.id}"]`);
  if (output) output.value = control.value;
  const mirror = root.querySelector(`[data-mirror="${control.id}"]`);
  if (mirror) mirror.value = control.value;
}

function fill() {
  for (const control of root.querySelectorAll("[data-path]")) {
    const value = get(control.dataset.path);
    if (control.type === "checkbox") control.checked = Boolean(value);
    else if (control.type === "color") control.value = hex6(value);
    else if (value !== undefined) control.value = typeof value === "object" ? "" : value;
    showValue(control);
  }
  if (config.watermarkForced) root.querySelector('[data-path="footer.watermark"]').checked = true;
  const background = style.canvas.background;
  for (const radio of root.querySelectorAll("[data-bg-type]")) radio.checked = radio.value === background.type;
  root.querySelector("[data-gradient]").hidden = background.type !== "linear";
  root.querySelector("[data-solid]").hidden = background.type !== "solid";
  drawStops();
  drawSizes();
}

function drawStops() {
  const list = root.querySelector("[data-stops]");
  list.replaceChildren();
  if (style.canvas.background.type !== "linear") return;
  const stops = () => style.canvas.background.stops;
  stops().forEach(([colour, position], index) => {
    const row = document.createElement("div");
    row.className = "stop";
    const swatch = Object.assign(document.createElement("input"), { type: "color", value: hex6(colour) });
    if (document.getElementById("brand-colours")) swatch.setAttribute("list", "brand-colours");
    swatch.setAttribute("aria-label", `Colour ${index + 1}`);
    swatch.addEventListener("input", () => edit(`stop-colour-${index}`, () => { stops()[index][0] = swatch.value; }));
    swatch.addEventListener("change", () => steps.close());
    const where = Object.assign(document.createElement("input"), {
      type: "range", min: 0, max: 1, step: 0.01, value: position,
    });
    where.setAttribute("aria-label", `Position of colour ${index + 1}`);
    where.addEventListener("change", () => {
      edit(`stop-position-${index}`, () => {
        stops()[index][1] = Number(where.value);
        stops().sort((a, b) => a[1] - b[1]);
      });
      steps.close();
      drawStops();
    });
    row.append(swatch, where);
    if (stops().length > 2) {
      const remove = Object.assign(document.createElement("button"), { type: "button", textContent: "✕" });
      remove.className = "secondary small";
      remove.setAttribute("aria-label", `Remove colour ${index + 1}`);
      remove.addEventListener("click", () => {
        edit("stops", () => stops().splice(index, 1));
        steps.close();
        drawStops();
      });
      row.append(remove);
    }
    list.append(row);
  });
  root.querySelector("[data-add-stop]").disabled = stops().length >= 8;
}

root.addEventListener("input", (event) => {
  const control = event.target;
  if (control.dataset.mirror) {
    const target = root.querySelector(`#${control.dataset.mirror}`);
    target.value = control.value;
    target.dispatchEvent(new Event("input", { bubbles: true }));
    return;
  }
  if (!control.dataset.path) return;
  let value = control.type === "checkbox" ? control.checked : control.value;
  if ("number" in control.dataset) value = Number(value);
  if (canonical(get(control.dataset.path)) === canonical(value)) return;
  edit(control.dataset.path, () => set(control.dataset.path, value));
  showValue(control);
});

// A control says its edit is done: the next edit is a step of its own.
root.addEventListener("change", (event) => {
  if (event.target.dataset.path || event.target.dataset.mirror) steps.close();
});

root.addEventListener("change", (event) => {
  if (!event.target.matches("[data-bg-type]")) return;
  const current = style.canvas.background;
  const first = current.type === "linear" ? current.stops[0][0] : current.color;
  edit("background", () => {
    style.canvas.background = event.target.value === "solid"
      ? { type: "solid", color: first }
      : { type: "linear", angle: 135, stops: [[first, 0], ["#db2777", 1]] };
  });
  steps.close();
  fill();
});

root.querySelector("[data-add-stop]").addEventListener("click", () => {
  edit("stops", () => {
    const stops = style.canvas.background.stops;
    stops.push([stops.at(-1)[0], 1]);
  });
  steps.close();
  drawStops();
});

// --- Size: the choices that make sense for the kind, with their pixels ------------

function scaleNow() {
  return Number(root.querySelector("[data-export-scale]").value) || 1;
}

function framedKind() {
  return kind === "carousel" || (kind === "cards" && style.canvas.size !== "auto");
}

function customLabel(size, scale) {
  return `Custom · ${size.width * scale} × ${size.height * scale} px`;
}

function drawSizes() {
  const scale = String(scaleNow());
  const size = style.canvas.size;
  const custom = typeof size === "object";
  let shown = custom ? "custom" : size;
  if (kind === "thread") shown = "auto";
  else if (kind === "carousel" && shown === "auto") shown = "portrait"; // what a carousel makes of it
  const options = config.sizes[kind]
    .filter((choice) => choice.offered || choice.value === shown)
    .map((choice) => new Option(choice.labels[scale], choice.value));
  if (custom && kind !== "thread") options.push(new Option(customLabel(size, Number(scale)), "custom"));
  sizeSelect.replaceChildren(...options);
  sizeSelect.value = shown;
  sizeSelect.disabled = kind === "thread";
  sizeSelect.title = kind === "thread" ? "A thread image is always as tall as the thread." : "";
}

sizeSelect.addEventListener("change", () => {
  if (sizeSelect.value === "custom") return;
  edit("canvas.size", () => { style.canvas.size = sizeSelect.value; });
  steps.close();
});

// --- Preview ------------------------------------------------------------------------

let wanted = 0; // bumped by every change the preview must show
let sent = 0; // the change the last request was made for
let shown = 0; // the change the image on screen shows
let inFlight = false;
let queued = false;
let shownUrl = null;

function previewBody(extra = {}) {
  if (trial) return { kind, page, style, ...extra };
  return { thread: config.thread, kind, page, style, placeholders: placeholdersChoice(root), ...extra };
}

// Changes made together (one event's handlers) make one request, sent at
// once when none is on its way; waiting for the next frame cost up to 16 ms
// for nothing, since the requests that follow queue behind the one in flight.
function schedule() {
  wanted += 1;
  if (queued) return;
  queued = true;
  queueMicrotask(() => { queued = false; pump(); });
}

async function pump() {
  if (inFlight) return;
  inFlight = true;
  const slow = setTimeout(() => { statusLine.textContent = "Rendering…"; }, 400);
  try {
    while (sent < wanted) {
      sent = wanted;
      const version = sent;
      const forKind = kind;
      const scale = previewScale();
      try {
        const result = await previewImage(
          config.urls.preview, previewBody({ scale }), undefined, (seconds) => { statusLine.textContent = slowDownText(seconds); },
        );
        // Decoding overlaps the next request.
        if (forKind === kind) show(result, version, scale);
      } catch (error) {
        if (version === wanted) statusLine.textContent = error.message;
      }
    }
  } finally {
    clearTimeout(slow);
    inFlight = false;
  }
}

async function show(result, version, scale) {
  const url = URL.createObjectURL(result.blob);
  const next = new Image();
  next.src = url;
  try {
    await next.decode();
  } catch {
    URL.revokeObjectURL(url);
    return;
  }
  if (version <= shown) { URL.revokeObjectURL(url); return; }
  shown = version;
  pages = result.pages;
  // Shown at its size at 1× whatever the scale it was drawn at.
  preview.srcset = `${url} ${scale}x`;
  preview.src = url;
  preview.dataset.width = Math.round(next.naturalWidth / scale);
  preview.dataset.scale = scale;
  if (shownUrl) URL.revokeObjectURL(shownUrl);
  shownUrl = url;
  if (version === wanted) statusLine.textContent = "";
  if (page > pages) { page = pages; schedule(); }
  showPage();
  zoom();
}

function showPage() {
  root.querySelector("[data-page-label]").textContent = `${page} / ${pages}`;
  root.querySelector('[data-page="-1"]').disabled = page <= 1;
  root.querySelector('[data-page="1"]').disabled = page >= pages;
}

function zoom() {
  const choice = root.querySelector("[data-zoom]").value;
  const designWidth = Number(preview.dataset.width || 0) / (framedKind() ? config.frameZoom : 1);
  if (choice === "fit") {
    preview.classList.add("fit");
    // Its size at 1× within the area, whatever the scale it was drawn at.
    const width = Number(preview.dataset.width || 0);
    preview.style.width = width ? `${fitWidth(width, null)}px` : "";
  } else {
    preview.classList.remove("fit");
    preview.style.width = `${designWidth * Number(choice)}px`;
  }
}

// "Fit" follows the window.
window.addEventListener("resize", () => {
  if (root.querySelector("[data-zoom]").value === "fit") zoom();
});

root.querySelector("[data-zoom]").addEventListener("change", () => {
  zoom();
  if (previewScale() !== Number(preview.dataset.scale || 1)) schedule();
});

// The preview is drawn at the scale that matches what is on screen: its
// CSS width × devicePixelRatio ÷ its pixels at 1×, rounded up to a scale the
// engine draws at (never blurry), at most 1 unless the zoom shows it larger.
function previewScale() {
  const [width, height] = pagePixels();
  if (!width) return 1;
  const choice = root.querySelector("[data-zoom]").value;
  const shownWidth = choice === "fit"
    ? fitWidth(width, height)
    : (width / (framedKind() ? config.frameZoom : 1)) * Number(choice);
  const limit = Math.max(1, shownWidth / width);
  const scales = config.previewScales.filter((scale) => scale <= Math.max(config.maxScale, 1));
  const target = Math.min((shownWidth * window.devicePixelRatio) / width, limit);
  return scales.find((scale) => scale >= target - 1e-6) ?? scales.at(-1);
}

// The page's pixels at 1× for the kind and size chosen ([width, height or null]).
function pagePixels() {
  const size = style.canvas.size;
  if (typeof size === "object" && kind !== "thread") return [size.width, size.height];
  const name = kind === "thread" ? "auto" : kind === "carousel" && size === "auto" ? "portrait" : size;
  return config.sizes[kind].find((choice) => choice.value === name)?.pixels ?? [0, null];
}

// The CSS width the "Fit" zoom gives a page (.canvas-area img.fit): its
// size at 1×, within the canvas area's width and the image's max-height.
function fitWidth(width, height) {
  const area = preview.parentElement;
  const box = getComputedStyle(area);
  const across = area.clientWidth - parseFloat(box.paddingLeft) - parseFloat(box.paddingRight);
  // The room the area shows (it scrolls past that), under the CSS cap.
  const room = area.clientHeight - parseFloat(box.paddingTop) - parseFloat(box.paddingBottom);
  const tallest = Math.min(parseFloat(getComputedStyle(preview).maxHeight), room > 0 ? room : Infinity);
  const shown = preview.naturalHeight ? preview.naturalWidth / preview.naturalHeight : 0;
  const aspect = height ? width / height : shown;
  return Math.min(width, across, Number.isFinite(tallest) && aspect ? tallest * aspect : Infinity);
}
root.querySelector("[data-leave-out]")?.addEventListener("change", () => { schedule(); scheduleQuote(300); });

function turn(step) {
  const next = Math.min(Math.max(page + step, 1), pages);
  if (next !== page) { page = next; showPage(); schedule(); }
}

for (const button of root.querySelectorAll("[data-page]")) {
  button.addEventListener("click", () => turn(Number(button.dataset.page)));
}

// --- One kind for the preview and the export -------------------------------------------

const exportControls = {
  format: root.querySelector("[data-export-format]"),
  scale: root.querySelector("[data-export-scale]"),
};

function chooseKind(value, { remember = true } = {}) {
  kind = config.sizes[value] ? value : "cards";
  page = 1;
  for (const radio of root.querySelectorAll("[data-kind]")) radio.checked = radio.value === kind;
  root.querySelector("[data-export-what]").textContent = config.kinds[kind].name.toLowerCase();
  const formats = config.kinds[kind].formats;
  for (const option of exportControls.format.options) option.disabled = !formats.includes(option.value);
  if (!formats.includes(exportControls.format.value)) exportControls.format.value = formats[0];
  drawSizes();
  if (remember) rememberExportSettings();
}

root.querySelector("[data-kind-picker]").addEventListener("change", (event) => {
  chooseKind(event.target.value);
  schedule();
  scheduleQuote(300);
});

function exportSettings() {
  return { kind, format: exportControls.format.value, scale: scaleNow() };
}

function rememberExportSettings() {
  localStorage.setItem(EXPORT_KEY, JSON.stringify(exportSettings()));
}

function restoreExportSettings() {
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(EXPORT_KEY) || "null");
  } catch {
    localStorage.removeItem(EXPORT_KEY);
  }
  const scale = [...exportControls.scale.options].find((option) => option.value === String(saved?.scale));
  if (scale && !scale.disabled) exportControls.scale.value = scale.value;
  chooseKind(saved?.kind ?? "cards", { remember: false });
  const format = [...exportControls.format.options].find((option) => option.value === saved?.format);
  if (format && !format.disabled) exportControls.format.value = format.value;
}

for (const control of Object.values(exportControls)) {
  control.addEventListener("change", () => {
    rememberExportSettings();
    drawSizes();
    scheduleQuote(300);
  });
}

// --- The draft: the style kept with the thread, for every device ------------------------

let savedDraft = canonical(style);
let savedPreset = config.preset;
let draftTimer = null;
let saving = Promise.resolve();

function scheduleDraft() {
  clearTimeout(draftTimer);
  draftTimer = setTimeout(saveDraft, DRAFT_SAVE_MS);
}

// Saves run one after another, so an older one never lands last.
function saveDraft({ keepalive = false } = {}) {
  clearTimeout(draftTimer);
  const text = canonical(style);
  const preset = presetId;
  if (text === savedDraft && preset === savedPreset) return saving;
  const body = trial ? { style } : { style_draft: style };
  if (preset !== savedPreset && !trial) body.preset = preset;
  savedDraft = text;
  savedPreset = preset;
  const [url, method] = trial ? [config.urls.style, "POST"] : [config.urls.thread, "PATCH"];
  saving = saving.then(async () => {
    try {
      await api(url, { method, body, keepalive });
      if (!presetDirty()) draftStatus.textContent = trial ? "Kept with your trial design." : "Saved with this thread.";
    } catch (error) {
      savedDraft = null; // try again with the next change
      draftStatus.textContent = `Not saved: ${error.message}`;
    }
  });
  return saving;
}

// Leaving, or the tab hidden: what is not saved yet goes now.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") saveDraft({ keepalive: true });
});
window.addEventListener("pagehide", () => saveDraft({ keepalive: true }));

// --- Presets ---------------------------------------------------------------------------

function presetNow() {
  return config.presets.find((candidate) => candidate.id === presetId) ?? null;
}

// A preset of yours was applied and the style no longer matches it: the
// draft keeps the change, the preset does not (until Update preset).
function presetDirty() {
  const preset = presetNow();
  return Boolean(preset && !preset.builtin && touched && canonical(style) !== canonical(preset.style));
}

function showPresetState() {
  const preset = presetNow();
  if (updateButton) updateButton.disabled = !preset || preset.builtin;
  if (presetDirty()) {
    sayNamed(draftStatus, "Changed since the preset “", preset.name, "” was saved: Update preset keeps it.");
  } else if (draftStatus.textContent.startsWith("Changed since")) {
    draftStatus.textContent = "";
  }
}

function choosePreset(id) {
  steps.edit("preset");
  steps.close();
  presetId = id ? Number(id) : null;
  const preset = presetNow();
  style = structuredClone(preset ? preset.style : config.defaultStyle);
  touched = false;
  fill();
  styleChanged();
  saveDraft(); // the preset is remembered at once
}

presetSelect.addEventListener("change", () => choosePreset(presetSelect.value));

window.addEventListener("beforeunload", (event) => {
  if (!presetDirty()) return;
  event.preventDefault();
  event.returnValue = ""; // older browsers ask for it
});

root.querySelector("[data-save-as]")?.addEventListener("click", async () => {
  const name = window.prompt("Name for the new preset");
  if (!name) return;
  try {
    const saved = await api(config.urls.presets, { method: "POST", body: { name, style } });
    config.presets.push({ id: saved.id, name: saved.name, style: saved.style, builtin: false });
    const option = new Option(saved.name, saved.id);
    option.dir = "auto";
    presetSelect.append(option);
    presetSelect.value = saved.id;
    presetId = saved.id;
    touched = false;
    showPresetState();
    saveDraft();
    sayNamed(exportStatus, "Saved the preset “", saved.name, "”.");
  } catch (error) {
    exportStatus.textContent = error.message;
  }
});

updateButton?.addEventListener("click", async () => {
  try {
    const saved = await api(`${config.urls.presets}${presetId}/`, { method: "PATCH", body: { style } });
    presetNow().style = saved.style;
    touched = false;
    showPresetState();
    sayNamed(exportStatus, "Updated the preset “", saved.name, "”.");
  } catch (error) {
    exportStatus.textContent = error.message;
  }
});

// --- Export, and what it costs ------------------------------------------------------------

function exportBody() {
  return { ...exportSettings(), thread: config.thread, style, placeholders: placeholdersChoice(root) };
}

let exporting = null; // the body of the export on its way, as JSON

// A visitor's Export: sign up (or log in) first; the claim URL brings the
// design into the account and carries on with this export.
function askToSignUp() {
  const prompt = document.querySelector("[data-signup-prompt]");
  const settings = exportSettings();
  const claim = `${config.urls.claim}?${new URLSearchParams({ ...settings, scale: String(settings.scale) })}`;
  for (const link of document.querySelectorAll("[data-prompt-link], [data-trial-link]")) {
    const base = config.urls[link.dataset.promptLink ?? link.dataset.trialLink];
    link.href = `${base}?${new URLSearchParams({ next: claim })}`;
  }
  if (!prompt.open) prompt.showModal();
}

async function exportNow() {
  if (trial) {
    rememberExportSettings();
    askToSignUp();
    return;
  }
  const body = exportBody();
  const key = canonical(body);
  if (exporting === key) return; // ⌘S again while the same export runs: nothing new to make
  exporting = key;
  rememberExportSettings();
  try {
    await exportAndDownload(config.urls.jobs, body, (message) => { exportStatus.textContent = message; });
  } finally {
    if (exporting === key) exporting = null;
    scheduleQuote(300);
  }
}

root.querySelector("[data-export]").addEventListener("click", exportNow);

let quoteTimer = null;
let quoteController = null;
let quoteMissing = trial; // nothing to quote before signing up

function scheduleQuote(delay) {
  if (quoteMissing) return;
  clearTimeout(quoteTimer);
  quoteTimer = setTimeout(quote, delay);
}

// "uses 1 of your 47 exports this month", under the Export button; nothing
// when the server has no quotes to give (404) or cannot say.
async function quote() {
  quoteController?.abort();
  quoteController = new AbortController();
  try {
    const response = await fetch(`${config.urls.jobs}quote/`, {
      method: "POST",
      signal: quoteController.signal,
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(exportBody()),
    });
    if (response.status === 404) quoteMissing = true;
    const answer = response.ok ? await response.json() : null;
    costLine.textContent = answer?.message ?? "";
  } catch (error) {
    if (error.name !== "AbortError") costLine.textContent = "";
  }
}

// --- Copy and download the image --------------------------------------------------------

// The server's PNG of the page on screen, at export scale 1.
function pagePng() {
  return previewImage(config.urls.preview, previewBody({ scale: 1, format: "png" })).then((result) => result.blob);
}

async function copyImage() {
  if (!navigator.clipboard?.write || typeof ClipboardItem === "undefined") {
    toast(COPY_REFUSED);
    return;
  }
  let renderFailed = null;
  // The promise goes in at once (Safari wants the clipboard write inside the
  // user's gesture); the image follows.
  const blob = pagePng().catch((error) => { renderFailed = error; throw error; });
  try {
    await navigator.clipboard.write([new ClipboardItem({ "image/png": blob })]);
    toast(`Copied page ${page} to the clipboard.`);
  } catch {
    toast(renderFailed ? renderFailed.message : COPY_REFUSED);
  }
}

async function downloadImage() {
  try {
    const url = URL.createObjectURL(await pagePng());
    const name = `${config.kinds[kind].name.toLowerCase().replace(/\s+/g, "-")}-${page}.png`;
    const link = Object.assign(document.createElement("a"), { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) {
    toast(error.message);
  }
}

root.querySelector("[data-copy]")?.addEventListener("click", copyImage);
root.querySelector("[data-download]")?.addEventListener("click", downloadImage);

// --- Author --------------------------------------------------------------------------------

const authorPanel = root.querySelector("[data-author]");
const authorError = authorPanel?.querySelector("[data-author-error]");

function authorProblem(error, field) {
  authorError.textContent = error ? error.message : "";
  for (const input of authorPanel.querySelectorAll("input")) input.removeAttribute("aria-invalid");
  if (error && field) field.setAttribute("aria-invalid", "true");
}

function showAuthor(thread) {
  const avatar = authorPanel.querySelector("[data-avatar-image]");
  avatar.hidden = !thread.avatar;
  if (thread.avatar) avatar.src = `${thread.avatar}?v=${Date.now()}`;
  else avatar.removeAttribute("src");
  authorPanel.querySelector("[data-avatar-none]").hidden = Boolean(thread.avatar);
  authorPanel.querySelector("[data-avatar-remove]").hidden = !thread.avatar;
  root.querySelector("[data-thread-title]").textContent = thread.title;
  preview.alt = `Preview of ${thread.title}`;
  schedule(); // the header shows the author
  scheduleQuote(300);
}

authorPanel?.addEventListener("change", async (event) => {
  const field = event.target.closest("[data-author-field]");
  if (!field) return;
  try {
    const thread = await api(config.urls.thread, { method: "PATCH", body: { [field.dataset.authorField]: field.value } });
    field.value = thread[field.dataset.authorField];
    authorProblem(null);
    showAuthor(thread);
  } catch (error) {
    authorProblem(error, field);
  }
});

async function sendAvatar(method, file) {
  const init = { method, headers: { Accept: "application/json", "X-CSRFToken": csrf() } };
  if (file) {
    init.body = new FormData();
    init.body.append("file", file);
  }
  const response = await fetch(config.urls.avatar, init);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message || `HTTP ${response.status}`);
  return answer;
}

authorPanel?.querySelector("[data-avatar-file]").addEventListener("change", async (event) => {
  const [file] = event.target.files;
  if (!file) return;
  try {
    showAuthor(await sendAvatar("POST", file));
    authorProblem(null);
  } catch (error) {
    authorProblem(error, event.target);
  } finally {
    event.target.value = "";
  }
});

authorPanel?.querySelector("[data-avatar-remove]").addEventListener("click", async () => {
  try {
    showAuthor(await sendAvatar("DELETE"));
    authorProblem(null);
  } catch (error) {
    authorProblem(error);
  }
});

// --- Keyboard -------------------------------------------------------------------------------

const sheet = shortcutSheet(document.querySelector("[data-shortcut-sheet]"));
root.querySelector("[data-shortcuts]").addEventListener("click", () => sheet.open());

document.addEventListener("keydown", (event) => {
  if (sheet.isOpen || event.defaultPrevented) return;
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  const typing = isTextEntry(event.target);
  if (mod && key === "s") {
    event.preventDefault(); // never the browser's save dialog
    exportNow();
  } else if (mod && !typing && (key === "z" || key === "y")) {
    event.preventDefault();
    if (key === "y" || event.shiftKey) steps.redo();
    else steps.undo();
  } else if (mod && key === "c" && !event.shiftKey && !typing && !String(window.getSelection())) {
    event.preventDefault();
    copyImage();
  } else if (event.key === "?" && !typing && !mod) {
    event.preventDefault();
    sheet.open();
  } else if (!mod && !event.target.closest?.("input, select, textarea")) {
    if (event.key === "ArrowLeft") turn(-1);
    if (event.key === "ArrowRight") turn(1);
  }
});

// --- Start ------------------------------------------------------------------------------------

labelModifier(document);
restoreExportSettings();
const continued = config.continueExport;
if (continued) {
  // Back from signing up with a trial's design: the export it asked for.
  chooseKind(continued.kind);
  exportControls.format.value = continued.format;
  const scale = [...exportControls.scale.options].find((option) => option.value === continued.scale);
  if (scale && !scale.disabled) exportControls.scale.value = scale.value;
  rememberExportSettings();
}
if (config.claimed) history.replaceState(null, "", window.location.pathname); // a reload exports nothing
if (window.matchMedia("(max-width: 48rem)").matches) root.querySelector("[data-zoom]").value = "fit";
fill();
showHistory();
showPresetState();
schedule();
scheduleQuote(0);
if (continued) exportNow();
