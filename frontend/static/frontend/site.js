// Every page: the dismissible announcement (remembered per browser), and on
// free-plan pages a polite note when an ad blocker hid the ad slot.
const banner = document.querySelector("[data-announcement]");
const seenKey = "tn.announcement.dismissed";
if (banner) {
  if (localStorage.getItem(seenKey) === banner.dataset.announcement) banner.remove();
  banner.querySelector("[data-dismiss]")?.addEventListener("click", () => {
    localStorage.setItem(seenKey, banner.dataset.announcement);
    banner.remove();
  });
}

const note = document.querySelector("[data-adblock-note]");
const noteKey = "tn.adblock-note.dismissed";

function blocked(slot) {
  const shown = window.getComputedStyle(slot);
  if (shown.display === "none" || shown.visibility === "hidden" || slot.offsetHeight === 0) return true;
  const image = slot.querySelector("[data-ad-image]");
  return Boolean(image && image.complete && image.naturalWidth === 0);
}

function check() {
  const slots = [...document.querySelectorAll("[data-ad-slot]")];
  if (!note || !slots.length || localStorage.getItem(noteKey)) return;
  if (slots.some(blocked)) note.hidden = false;
}

note?.querySelector("[data-dismiss-note]")?.addEventListener("click", () => {
  localStorage.setItem(noteKey, "1");
  note.hidden = true;
});
for (const image of document.querySelectorAll("[data-ad-image]")) image.addEventListener("error", check);
// Blockers hide slots after the page has loaded; look once they had the chance.
window.addEventListener("load", () => setTimeout(check, 500));

// Destructive buttons ask first.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
