// The thread navigator: ← and → move between posts (not while typing).
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, textarea, select")) return;
  const link = document.querySelector(event.key === "ArrowLeft" ? "[data-previous]" : event.key === "ArrowRight" ? "[data-next]" : null);
  if (link) link.click();
});
