/*
 * The order of a collection kept in a sequence field (firewall.rules by
 * "index"): rows sorted by it, moved by dragging a grip (pointer events:
 * mouse, pen and touch alike) or with the keyboard, and the new order
 * staged as values 1..N in one PATCH.
 */

export interface Sequenced {
  id: number;
  [key: string]: unknown;
}

export interface Renumbered {
  id: number;
  value: number;
}

const seq = (e: Sequenced, field: string): number => {
  const v = e[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : Number.MAX_SAFE_INTEGER;
};

/** The entries ordered by the sequence field, then by id (entries without it last). */
export function bySequence<T extends Sequenced>(list: T[], field: string): T[] {
  return [...list].sort((a, b) => seq(a, field) - seq(b, field) || a.id - b.id);
}

/** A copy of list with the item at from moved to position to (both clamped). */
export function moveItem<T>(list: T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length) return out;
  const [it] = out.splice(from, 1);
  out.splice(Math.max(0, Math.min(to, out.length)), 0, it);
  return out;
}

/** Values 1..N in the list's order, for the entries whose value changes. */
export function renumber(list: Sequenced[], field: string): Renumbered[] {
  const out: Renumbered[] = [];
  list.forEach((e, i) => {
    if (e[field] !== i + 1) out.push({ id: e.id, value: i + 1 });
  });
  return out;
}

/**
 * The one PATCH that stages a renumbering: below the collection's parent,
 * one key per moved entry ("rules[7].index": 1), so that every value
 * changes in the same step and the daemon checks the result as a whole.
 */
export function reorderPatch(collection: string, field: string, changes: Renumbered[]): { path: string; body: Record<string, number> } {
  const dot = collection.lastIndexOf('.');
  const parent = dot < 0 ? '' : collection.slice(0, dot);
  const key = collection.slice(dot + 1);
  const body: Record<string, number> = {};
  for (const c of changes) body[`${key}[${c.id}].${field}`] = c.value;
  return { path: parent, body };
}

/**
 * Lets the rows of tbody be dragged by their grip (an element matching
 * handle inside the row). The row follows the pointer between its
 * neighbours; on release onDrop(from, to) gets the old and new positions
 * (only when they differ). A cancelled drag puts the row back.
 */
export function dragRows(tbody: HTMLElement, handle: string, onDrop: (from: number, to: number) => void): void {
  tbody.addEventListener('pointerdown', (e) => {
    const grip = (e.target as Element).closest<HTMLElement>(handle);
    if (!grip || e.button !== 0 || !tbody.contains(grip)) return;
    const row = grip.closest('tr');
    if (!row || row.parentElement !== tbody) return;
    e.preventDefault();
    const from = [...tbody.children].indexOf(row);
    let done = false;
    try {
      grip.setPointerCapture(e.pointerId);
    } catch {
      // no capture (an old browser): the window still sees the moves
    }
    row.classList.add('dragging');
    tbody.classList.add('reordering');

    const move = (ev: PointerEvent) => {
      if (ev.pointerId !== e.pointerId) return;
      const y = ev.clientY;
      const others = [...tbody.children].filter((r) => r !== row) as HTMLElement[];
      const before = others.find((r) => {
        const b = r.getBoundingClientRect();
        return y < b.top + b.height / 2;
      });
      if (before) {
        if (row.nextElementSibling !== before) tbody.insertBefore(row, before);
      } else if (tbody.lastElementChild !== row) tbody.appendChild(row);
    };
    const end = (ev: PointerEvent, cancelled: boolean) => {
      if (done || ev.pointerId !== e.pointerId) return;
      done = true;
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', cancel);
      row.classList.remove('dragging');
      tbody.classList.remove('reordering');
      const to = [...tbody.children].indexOf(row);
      if (cancelled) {
        tbody.insertBefore(row, tbody.children[from > to ? from + 1 : from] || null);
        return;
      }
      if (to !== from) onDrop(from, to);
    };
    const up = (ev: PointerEvent) => end(ev, false);
    const cancel = (ev: PointerEvent) => end(ev, true);
    // on the window: the moves arrive wherever the pointer goes, captured or not
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', cancel);
  });
}
