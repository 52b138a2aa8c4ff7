// The visual editor. The style document lives here; every change asks the
// server for its real render (POST /api/v1/render/preview/), debounced, the
// latest request winning, the previous image kept until the next is decoded.
import { api, exportAndDownload, placeholdersChoice, previewImage } from "./client.js";

const config = JSON.parse(document.getElementById("editor-config").textContent);
const root = document.querySelector("[data-editor]");
const preview = root.querySelector("[data-preview]");
const statusLine = root.querySelector("[data-status]");
const exportStatus = root.querySelector("[data-export-status]");
const EXPORT_KEY = "tn.export";
const DEBOUNCE_MS = 120;

let style = structuredClone(config.style);
let kind = "cards";
let page = 1;
let pages = 1;
let presetId = null;
let timer = null;
let controller = null;
let sequence = 0;
let shownUrl = null;

// --- The style document ---------------------------------------------------------

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

// --- Controls -------------------------------------------------------------------

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
}

function drawStops() {
  const list = root.querySelector("[data-stops]");
  list.replaceChildren();
  if (style.canvas.background.type !== "linear") return;
  const stops = style.canvas.background.stops;
  stops.forEach(([colour, position], index) => {
    const row = document.createElement("div");
    row.className = "stop";
    const swatch = Object.assign(document.createElement("input"), { type: "color", value: hex6(colour) });
    swatch.setAttribute("aria-label", `Colour ${index + 1}`);
    swatch.addEventListener("input", () => { stops[index][0] = swatch.value; schedule(); });
    const where = Object.assign(document.createElement("input"), {
      type: "range", min: 0, max: 1, step: 0.01, value: position,
    });
    where.setAttribute("aria-label", `Position of colour ${index + 1}`);
    where.addEventListener("change", () => {
      stops[index][1] = Number(where.value);
      stops.sort((a, b) => a[1] - b[1]);
      drawStops();
      schedule();
    });
    row.append(swatch, where);
    if (stops.length > 2) {
      const remove = Object.assign(document.createElement("button"), { type: "button", textContent: "✕" });
      remove.className = "secondary small";
      remove.setAttribute("aria-label", `Remove colour ${index + 1}`);
      remove.addEventListener("click", () => { stops.splice(index, 1); drawStops(); schedule(); });
      row.append(remove);
    }
    list.append(row);
  });
  root.querySelector("[data-add-stop]").disabled = stops.length >= 8;
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
  set(control.dataset.path, value);
  showValue(control);
  schedule();
});

root.addEventListener("change", (event) => {
  if (!event.target.matches("[data-bg-type]")) return;
  const current = style.canvas.background;
  const first = current.type === "linear" ? current.stops[0][0] : current.color;
  style.canvas.background = event.target.value === "solid"
    ? { type: "solid", color: first }
    : { type: "linear", angle: 135, stops: [[first, 0], ["#db2777", 1]] };
  fill();
  schedule();
});

root.querySelector("[data-add-stop]").addEventListener("click", () => {
  const stops = style.canvas.background.stops;
  const last = stops.at(-1);
  stops.push([last[0], 1]);
  if (stops.length > 1) stops[stops.length - 2][1] = Math.min(stops[stops.length - 2][1], 1);
  drawStops();
  schedule();
});

// --- Preview ----------------------------------------------------------------------

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(refresh, DEBOUNCE_MS);
}

async function refresh() {
  controller?.abort();
  controller = new AbortController();
  const mine = ++sequence;
  const slow = setTimeout(() => { statusLine.textContent = "Rendering…"; }, 400);
  try {
    const result = await previewImage(
      config.urls.preview,
      { thread: config.thread, kind, page, style, placeholders: placeholdersChoice(root) },
      controller.signal,
    );
    pages = result.pages;
    const url = URL.createObjectURL(result.blob);
    const next = new Image();
    next.src = url;
    await next.decode();
    if (mine !== sequence) { URL.revokeObjectURL(url); return; }
    preview.src = url;
    preview.dataset.width = next.naturalWidth;
    if (shownUrl) URL.revokeObjectURL(shownUrl);
    shownUrl = url;
    statusLine.textContent = "";
    if (page > pages) { page = pages; schedule(); }
    showPage();
    zoom();
  } catch (error) {
    if (error.name !== "AbortError" && mine === sequence) statusLine.textContent = error.message;
  } finally {
    clearTimeout(slow);
  }
}

function showPage() {
  root.querySelector("[data-page-label]").textContent = `${page} / ${pages}`;
  root.querySelector('[data-page="-1"]').disabled = page <= 1;
  root.querySelector('[data-page="1"]').disabled = page >= pages;
}

function zoom() {
  const choice = root.querySelector("[data-zoom]").value;
  const designWidth = Number(preview.dataset.width || 0) / (kind === "carousel" ? 2 : 1);
  if (choice === "fit") {
    preview.style.width = "";
    preview.classList.add("fit");
  } else {
    preview.classList.remove("fit");
    preview.style.width = `${designWidth * Number(choice)}px`;
  }
}

root.querySelector("[data-zoom]").addEventListener("change", zoom);
root.querySelector("[data-leave-out]")?.addEventListener("change", schedule);

for (const button of root.querySelectorAll("[data-kind]")) {
  button.addEventListener("click", () => {
    kind = button.dataset.kind;
    for (const other of root.querySelectorAll("[data-kind]")) other.setAttribute("aria-pressed", other === button);
    page = 1;
    refresh();
  });
}

function turn(step) {
  const next = Math.min(Math.max(page + step, 1), pages);
  if (next !== page) { page = next; showPage(); refresh(); }
}

for (const button of root.querySelectorAll("[data-page]")) {
  button.addEventListener("click", () => turn(Number(button.dataset.page)));
}

// --- Presets ----------------------------------------------------------------------

const presetSelect = root.querySelector("[data-preset]");
const updateButton = root.querySelector("[data-update]");

function choosePreset(id) {
  presetId = id ? Number(id) : null;
  const preset = config.presets.find((candidate) => candidate.id === presetId);
  style = structuredClone(preset ? preset.style : config.style);
  updateButton.disabled = !preset || preset.builtin;
  fill();
  refresh();
}

presetSelect.addEventListener("change", () => choosePreset(presetSelect.value));

root.querySelector("[data-save-as]").addEventListener("click", async () => {
  const name = window.prompt("Name for the new preset");
  if (!name) return;
  try {
    const saved = await api(config.urls.presets, { method: "POST", body: { name, style } });
    config.presets.push({ id: saved.id, name: saved.name, style: saved.style, builtin: false });
    presetSelect.append(new Option(saved.name, saved.id));
    presetSelect.value = saved.id;
    presetId = saved.id;
    updateButton.disabled = false;
    exportStatus.textContent = `Saved the preset “${saved.name}”.`;
  } catch (error) {
    exportStatus.textContent = error.message;
  }
});

updateButton.addEventListener("click", async () => {
  try {
    const saved = await api(`${config.urls.presets}${presetId}/`, { method: "PATCH", body: { style } });
    config.presets.find((preset) => preset.id === presetId).style = saved.style;
    exportStatus.textContent = `Updated the preset “${saved.name}”.`;
  } catch (error) {
    exportStatus.textContent = error.message;
  }
});

// --- Export -------------------------------------------------------------------------

const exportControls = {
  kind: root.querySelector("[data-export-kind]"),
  format: root.querySelector("[data-export-format]"),
  scale: root.querySelector("[data-export-scale]"),
};

function exportSettings() {
  return { kind: exportControls.kind.value, format: exportControls.format.value, scale: Number(exportControls.scale.value) };
}

function restoreExportSettings() {
  try {
    const saved = JSON.parse(localStorage.getItem(EXPORT_KEY) || "null");
    if (!saved) return;
    for (const [name, control] of Object.entries(exportControls)) {
      if ([...control.options].some((option) => option.value === String(saved[name]))) control.value = saved[name];
    }
  } catch {
    localStorage.removeItem(EXPORT_KEY);
  }
}

for (const control of Object.values(exportControls)) {
  control.addEventListener("change", () => localStorage.setItem(EXPORT_KEY, JSON.stringify(exportSettings())));
}

function exportNow() {
  const settings = exportSettings();
  localStorage.setItem(EXPORT_KEY, JSON.stringify(settings));
  const body = { ...settings, thread: config.thread, style, placeholders: placeholdersChoice(root) };
  return exportAndDownload(config.urls.jobs, body, (message) => { exportStatus.textContent = message; });
}

root.querySelector("[data-export]").addEventListener("click", exportNow);

document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    event.preventDefault(); // never the browser's save dialog
    exportNow();
    return;
  }
  const typing = event.target.closest("input, select, textarea");
  if (!typing && event.key === "ArrowLeft") turn(-1);
  if (!typing && event.key === "ArrowRight") turn(1);
});

if (/Mac|iPhone|iPad/.test(navigator.platform)) root.querySelector("[data-mod]").textContent = "⌘";
restoreExportSettings();
if (window.matchMedia("(max-width: 48rem)").matches) root.querySelector("[data-zoom]").value = "fit";
fill();
refresh();
