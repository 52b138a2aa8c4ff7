// Undo and redo over snapshots of a document. Edits come in groups: every
// edit with the same key while a group is open (a slider's drag, a colour
// being picked) is one step, so undo goes back to before the drag, not one
// pixel. A group closes when its control says the edit is done (`change`),
// when another key edits, or after `idleMs` without an edit.
export class History {
  constructor({ read, write, onChange = () => {}, idleMs = 1000, limit = 200 }) {
    this.read = read; // () => the document now (a copy is kept)
    this.write = write; // (document) => show it
    this.onChange = onChange; // () => the buttons' state may have changed
    this.idleMs = idleMs;
    this.limit = limit;
    this.past = [];
    this.future = [];
    this.open = null; // { key, timer }
  }

  // Call before changing the document for `key`.
  edit(key) {
    if (this.open && this.open.key === key) {
      this.restartTimer();
      return;
    }
    this.close();
    this.past.push(structuredClone(this.read()));
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
    this.open = { key, timer: null };
    this.restartTimer();
    this.onChange();
  }

  restartTimer() {
    clearTimeout(this.open.timer);
    this.open.timer = setTimeout(() => this.close(), this.idleMs);
  }

  close() {
    if (!this.open) return;
    clearTimeout(this.open.timer);
    this.open = null;
  }

  get canUndo() {
    return this.past.length > 0;
  }

  get canRedo() {
    return this.future.length > 0;
  }

  undo() {
    this.step(this.past, this.future);
  }

  redo() {
    this.step(this.future, this.past);
  }

  step(from, to) {
    this.close();
    if (!from.length) return;
    to.push(structuredClone(this.read()));
    this.write(from.pop());
    this.onChange();
  }
}
