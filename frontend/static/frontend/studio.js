// Carousel Studio: every slide as the renderer draws it, for the chosen
// size, style, cover title, end line and posts (which, in which order).
import { exportAndDownload, placeholdersChoice, previewImage } from "./client.js";

const config = JSON.parse(document.getElementById("studio-config").textContent);
const root = document.querySelector("[data-studio]");
const strip = root.querySelector("[data-strip]");
const selected = root.querySelector("[data-selected]");
const statusLine = root.querySelector("[data-status]");
const exportStatus = root.querySelector("[data-export-status]");
const postsList = root.querySelector("[data-posts]");

let style = structuredClone(config.style);
let order = config.posts.map((post) => post.position);
const hidden = new Set();
let current = 1;
let generation = 0;
let timer = null;
const urls = [];

function arrangement() {
  return {
    posts: order.filter((position) => !hidden.has(position)),
    title: root.querySelector("[data-cover]").value,
    end_text: root.querySelector("[data-end]").value,
  };
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

function drawPosts() {
  postsList.replaceChildren();
  order.forEach((position, index) => {
    const post = config.posts.find((candidate) => candidate.position === position);
    const item = document.createElement("li");
    const label = document.createElement("label");
    label.className = "inline";
    const box = Object.assign(document.createElement("input"), { type: "checkbox", checked: !hidden.has(position) });
    box.addEventListener("change", () => {
      if (box.checked) hidden.delete(position);
      else if (order.length - hidden.size > 1) hidden.add(position);
      else box.checked = true; // a carousel keeps at least one post
      schedule();
    });
    label.append(box, ` ${position}. ${post.text || "(empty)"}`);
    const up = Object.assign(document.createElement("button"), { type: "button", textContent: "↑", disabled: index === 0 });
    up.setAttribute("aria-label", `Move post ${position} up`);
    up.className = "secondary small";
    up.addEventListener("click", () => move(index, -1));
    const down = Object.assign(document.createElement("button"), {
      type: "button", textContent: "↓", disabled: index === order.length - 1,
    });
    down.setAttribute("aria-label", `Move post ${position} down`);
    down.className = "secondary small";
    down.addEventListener("click", () => move(index, 1));
    item.append(label, up, down);
    postsList.append(item);
  });
}

function move(index, step) {
  const [position] = order.splice(index, 1);
  order.splice(index + step, 0, position);
  drawPosts();
  schedule();
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 200);
}

function body(page) {
  return {
    thread: config.thread,
    kind: "carousel",
    page,
    style: styled(),
    carousel: arrangement(),
    placeholders: placeholdersChoice(root),
    format: "jpeg",
  };
}

async function refresh() {
  const mine = ++generation;
  statusLine.textContent = "Rendering slides…";
  try {
    const first = await previewImage(config.urls.preview, body(1));
    if (mine !== generation) return;
    const images = [first.blob];
    for (let page = 2; page <= first.pages; page += 1) {
      images.push((await previewImage(config.urls.preview, body(page))).blob);
      if (mine !== generation) return;
    }
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    strip.replaceChildren();
    images.forEach((blob, index) => {
      const url = URL.createObjectURL(blob);
      urls.push(url);
      const thumb = document.createElement("button");
      thumb.type = "button";
      thumb.className = "thumb";
      thumb.setAttribute("role", "listitem");
      thumb.setAttribute("aria-label", `Slide ${index + 1} of ${images.length}`);
      thumb.append(Object.assign(document.createElement("img"), { src: url, alt: "" }));
      thumb.addEventListener("click", () => select(index + 1));
      strip.append(thumb);
    });
    root.querySelector("[data-count]").textContent = `${images.length} slides`;
    select(Math.min(current, images.length));
    statusLine.textContent = "";
  } catch (error) {
    if (mine === generation) statusLine.textContent = error.message;
  }
}

function select(page) {
  current = page;
  selected.src = urls[page - 1];
  strip.querySelectorAll(".thumb").forEach((thumb, index) => thumb.setAttribute("aria-current", index + 1 === page));
}

root.addEventListener("input", (event) => {
  if (event.target.matches("[data-cover], [data-end]")) schedule();
});
root.addEventListener("change", (event) => {
  if (event.target.name === "size" || event.target.matches("[data-leave-out]")) schedule();
  if (event.target.closest("[data-compose]")) {
    showFitRange();
    schedule();
  }
  if (event.target.matches("[data-preset]")) {
    const preset = config.presets.find((candidate) => String(candidate.id) === event.target.value);
    style = structuredClone(preset ? preset.style : config.style);
    fillComposition();
    schedule();
  }
});

for (const button of root.querySelectorAll("[data-export]")) {
  button.addEventListener("click", () => exportAndDownload(
    config.urls.jobs,
    {
      kind: "carousel",
      thread: config.thread,
      format: button.dataset.export,
      style: styled(),
      carousel: arrangement(),
      placeholders: placeholdersChoice(root),
    },
    (message) => { exportStatus.textContent = message; },
  ));
}

fillComposition();
drawPosts();
refresh();
