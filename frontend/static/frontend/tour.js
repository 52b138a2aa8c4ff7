// A short tour of a page, shown once per browser where the page asks for it
// (data-tour-auto) and whenever a data-tour-replay button is pressed. The
// page marks what to
// show with data-tour="N" (the order) and data-tour-text (what to say). A
// non-modal bubble points at each part in turn; Next, Back and "Skip the
// tour" (or Esc) move through it, focus goes to the bubble and comes back
// where it was. `data-tour-replay` buttons start it again.
const root = document.querySelector("[data-tour-name]");

function steps() {
  return [...document.querySelectorAll("[data-tour]")]
    .filter((element) => element.offsetParent !== null || element.getClientRects().length)
    .sort((a, b) => Number(a.dataset.tour) - Number(b.dataset.tour));
}

function bubble() {
  const box = document.createElement("div");
  box.className = "tour";
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-modal", "false");
  box.setAttribute("aria-labelledby", "tour-title");
  box.tabIndex = -1;
  box.innerHTML = `
    <p class="tour-count" id="tour-title"></p>
    <p class="tour-text" data-tour-say></p>
    <div class="tour-actions">
      <button type="button" class="secondary small" data-tour-skip>Skip the tour</button>
      <button type="button" class="secondary small" data-tour-back>Back</button>
      <button type="button" class="small" data-tour-next>Next</button>
    </div>`;
  return box;
}

export function startTour({ force = false } = {}) {
  if (!root) return;
  const key = `tn.tour.${root.dataset.tourName}`;
  if (!force && localStorage.getItem(key)) return;
  const parts = steps();
  if (!parts.length) return;
  const returnTo = document.activeElement;
  const box = bubble();
  document.body.append(box);
  let at = 0;

  function place() {
    const target = parts[at];
    target.scrollIntoView({ block: "nearest", inline: "nearest" });
    for (const part of parts) part.classList.toggle("tour-target", part === target);
    box.querySelector("#tour-title").textContent = `Tour · ${at + 1} of ${parts.length}`;
    box.querySelector("[data-tour-say]").textContent = target.dataset.tourText;
    box.querySelector("[data-tour-back]").disabled = at === 0;
    box.querySelector("[data-tour-next]").textContent = at === parts.length - 1 ? "Done" : "Next";
    const rect = target.getBoundingClientRect();
    const width = Math.min(320, window.innerWidth - 24);
    const below = rect.bottom + 12 + box.offsetHeight < window.innerHeight;
    const left = Math.max(12, Math.min(rect.left, window.innerWidth - width - 12));
    const top = below ? rect.bottom + 12 : Math.max(12, rect.top - box.offsetHeight - 12);
    Object.assign(box.style, { width: `${width}px`, left: `${left + window.scrollX}px`, top: `${top + window.scrollY}px` });
    box.focus();
  }

  function end() {
    localStorage.setItem(key, "done");
    for (const part of parts) part.classList.remove("tour-target");
    box.remove();
    document.removeEventListener("keydown", onKey, true);
    if (returnTo instanceof HTMLElement) returnTo.focus();
  }

  function onKey(event) {
    if (event.key === "Escape") {
      event.stopPropagation();
      end();
    }
  }

  box.querySelector("[data-tour-skip]").addEventListener("click", end);
  box.querySelector("[data-tour-back]").addEventListener("click", () => { at -= 1; place(); });
  box.querySelector("[data-tour-next]").addEventListener("click", () => {
    if (at === parts.length - 1) end();
    else { at += 1; place(); }
  });
  document.addEventListener("keydown", onKey, true);
  place();
}

for (const button of document.querySelectorAll("[data-tour-replay]")) {
  button.addEventListener("click", () => startTour({ force: true }));
}
// On its own only where the page asks (a new account's sample thread), once,
// after the page's own scripts have drawn it; "Take the tour" any time.
if (document.querySelector("[data-tour-auto]")) window.addEventListener("load", () => startTour());
