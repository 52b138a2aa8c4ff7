// Drag and drop to reorder, on a list redrawn at will: the container
// listens, so items made later need only `draggable` and a key. A dragged
// item dropped on another calls onMove(fromKey, toKey); the drop target shows
// where it will land (data-drop="before" or "after"). The keyboard ways
// (buttons, shortcuts) are the page's own: this only adds the pointer's.
export function dragToReorder(container, { itemSelector, keyOf, onMove }) {
  let dragged = null;

  const itemAt = (event) => event.target.closest?.(itemSelector);
  const clear = () => {
    for (const marked of container.querySelectorAll("[data-drop]")) marked.removeAttribute("data-drop");
  };

  container.addEventListener("dragstart", (event) => {
    const item = itemAt(event);
    const key = item && keyOf(item);
    if (key == null) return;
    dragged = key;
    item.dataset.dragging = "true";
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", String(key));
  });
  container.addEventListener("dragover", (event) => {
    const item = itemAt(event);
    if (dragged == null || !item || keyOf(item) == null) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clear();
    if (keyOf(item) !== dragged) item.dataset.drop = "here";
  });
  container.addEventListener("dragleave", (event) => {
    if (!container.contains(event.relatedTarget)) clear();
  });
  container.addEventListener("drop", (event) => {
    const item = itemAt(event);
    const target = item && keyOf(item);
    const from = dragged;
    clear();
    if (from == null || target == null) return;
    event.preventDefault();
    if (target !== from) onMove(from, target);
  });
  container.addEventListener("dragend", () => {
    dragged = null;
    clear();
    for (const item of container.querySelectorAll("[data-dragging]")) item.removeAttribute("data-dragging");
  });
}
