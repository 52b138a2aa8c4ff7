// Paint each preset's swatch from its colours (CSP allows styles set from script).
for (const swatch of document.querySelectorAll(".swatch[data-colors]")) {
  const colours = swatch.dataset.colors.split(",");
  swatch.style.background = colours.length > 1 ? `linear-gradient(135deg, ${colours.join(", ")})` : colours[0];
  const card = swatch.querySelector("[data-card]");
  if (card) {
    card.style.background = card.dataset.card;
    card.style.color = card.dataset.text;
  }
}
