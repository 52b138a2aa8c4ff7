// The thread navigator: ← and → move between posts (not while typing), and
// an image dropped onto the post is uploaded to it through the post's own
// image form (whose file input remains the way without a mouse).
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, textarea, select")) return;
  const link = document.querySelector(event.key === "ArrowLeft" ? "[data-previous]" : event.key === "ArrowRight" ? "[data-next]" : null);
  if (link) link.click();
});

const post = document.querySelector(".post-view");
const form = post?.querySelector("[data-image-drop]");
const input = form?.querySelector('input[type="file"]');

function hasFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}

if (post && form && input) {
  form.querySelector(".drop-hint").hidden = !matchMedia("(pointer: fine)").matches; // no dragging files on a phone
  post.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    post.classList.add("dragging");
  });
  post.addEventListener("dragleave", (event) => {
    if (!post.contains(event.relatedTarget)) post.classList.remove("dragging");
  });
  post.addEventListener("drop", (event) => {
    post.classList.remove("dragging");
    const files = event.dataTransfer?.files;
    if (!files?.length) return;
    event.preventDefault();
    const chosen = new DataTransfer();
    chosen.items.add(files[0]);
    input.files = chosen.files;
    form.requestSubmit();
  });
}

// Reordering: a post dragged onto another in the list takes its place, by
// the same form the Move up and Move down buttons post (the way without a
// mouse); the page comes back showing the moved post.
const list = document.querySelector("[data-reorder]");
const moveForm = document.querySelector("[data-move-form]");
let dragged = null;

if (list && moveForm && list.children.length > 1) {
  document.querySelector(".drag-hint").hidden = !matchMedia("(pointer: fine)").matches;
  for (const item of list.children) {
    item.draggable = true;
    item.addEventListener("dragstart", (event) => {
      dragged = item;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.position);
      item.classList.add("moving");
    });
    item.addEventListener("dragend", () => {
      item.classList.remove("moving");
      for (const other of list.children) other.classList.remove("drop-target");
      dragged = null;
    });
    item.addEventListener("dragover", (event) => {
      if (!dragged || dragged === item) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      item.classList.add("drop-target");
    });
    item.addEventListener("dragleave", () => item.classList.remove("drop-target"));
    item.addEventListener("drop", (event) => {
      if (!dragged || dragged === item) return;
      event.preventDefault();
      moveForm.action = dragged.dataset.move;
      moveForm.elements.to.value = item.dataset.position;
      moveForm.submit();
    });
  }
}
