// The import page: a .json or .txt file dropped onto the paste box fills it
// and picks the format. Pasting and the file input stay the other ways.
const MAX_BYTES = 25 * 1024 * 1024;
const zone = document.querySelector("[data-drop-zone]");
const box = zone?.querySelector("textarea");
const hint = zone?.querySelector(".drop-hint");

function hasFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}

async function fill(file) {
  if (file.size > MAX_BYTES) {
    hint.textContent = `${file.name} is larger than 25 MB.`;
    return;
  }
  box.value = (await file.text()).replace(/^\uFEFF/, "");
  const json = /\.json$/i.test(file.name) || file.type === "application/json";
  const format = document.querySelector(`input[name="format"][value="${json ? "json" : "text"}"]`);
  if (format) format.checked = true;
  // A file chosen before would win over the box on the server: the drop is the choice now.
  const chosen = document.querySelector('input[name="json_file"]');
  if (chosen) chosen.value = "";
  hint.textContent = `Filled from ${file.name}: press Preview or Import.`;
  box.focus();
}

if (zone && box && hint) {
  hint.hidden = !matchMedia("(pointer: fine)").matches; // no dragging files on a phone
  zone.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove("dragging");
  });
  zone.addEventListener("drop", (event) => {
    zone.classList.remove("dragging");
    const file = event.dataTransfer?.files?.[0];
    if (!file) return; // dropped text: the box takes it as usual
    event.preventDefault();
    fill(file);
  });
}
