// Keyboard shortcuts' helpers: where a key belongs to the field typed in,
// the platform's modifier in the hints, and the sheet that lists them.

const TEXT_INPUTS = new Set(["text", "search", "email", "url", "tel", "password", "number"]);

// Keys typed here are the field's own (its undo, its copy, its "?").
export function isTextEntry(target) {
  if (!(target instanceof Element)) return false;
  if (target.closest("textarea, [contenteditable=''], [contenteditable='true']")) return true;
  return target instanceof HTMLInputElement && TEXT_INPUTS.has(target.type);
}

export const isMac = /Mac|iPhone|iPad/.test(navigator.userAgentData?.platform ?? navigator.platform);

// ⌘ on Apple keyboards, Ctrl elsewhere, in every [data-mod] under `root`.
export function labelModifier(root) {
  if (!isMac) return;
  for (const key of root.querySelectorAll("[data-mod]")) key.textContent = "⌘";
}

// The list of shortcuts in a modal <dialog>: Esc closes it (the dialog's
// own cancel), and focus goes back where it was.
export function shortcutSheet(dialog) {
  let returnTo = null;
  dialog.addEventListener("close", () => {
    if (returnTo?.isConnected) returnTo.focus();
    returnTo = null;
  });
  return {
    open() {
      if (dialog.open) return;
      returnTo = document.activeElement;
      dialog.showModal();
    },
    get isOpen() {
      return dialog.open;
    },
  };
}
