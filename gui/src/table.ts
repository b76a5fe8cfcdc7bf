/*
 * A table generated from a collection of the schema ("dhcp.static_leases"):
 * one column per field, Add / Edit in a dialog whose form is generated from
 * the entry schema, Delete per row. Every edit is staged and updates the pill.
 * A collection ordered by a sequence field (reorder) gets a grip per row to
 * drag it and Move up / Move down buttons; a move stages the new order.
 */
import { configUrl, del, get, patch, post, put } from './api';
import { openDialog, type Dialog } from './dialog';
import { h, fill, type Child } from './dom';
import { buildForm, planSave, runSteps, type FormOptions, type Leaf, type SchemaForm, type Step } from './form';
import { plural, value as show } from './format';
import { refreshChanges } from './pill';
import { bySequence, dragRows, moveItem, renumber, reorderPatch } from './reorder';
import { kindOf, labelOf, loadSchema, nodeAt, titleOf, type SchemaNode } from './schema';
import { banner, busy, emptyRow, table } from './ui';
import { duplicates } from './validate';

export type Entry = Record<string, unknown> & { id: number };

export interface Column {
  title: string;
  render: (e: Entry) => Child;
}

export interface TableOptions {
  /** Columns, in order: entry fields or names of `cells` (default: all fields). */
  columns?: string[];
  /** Columns computed from the whole entry (they may also replace a field's cell). */
  cells?: Record<string, Column>;
  /** What one entry is called: "static lease". */
  noun: string;
  heading?: string;
  /** A line under the heading. */
  intro?: string;
  form?: FormOptions;
  /** The sequence field that orders the entries ("index"): drag and move buttons. */
  reorder?: string;
  /** Runs once the Add / Edit dialog shows its form (suggestions, pickers). */
  enhance?: (form: SchemaForm, entry: Entry | undefined, dlg: Dialog) => void;
  /** How a row names its entry in button labels. */
  label?: (e: Entry) => string;
  /** After every staged change of this table. */
  onChange?: () => void;
  /** The words of the button that adds an entry (default: "Add <noun>"). */
  addLabel?: string;
  /** More buttons in a row, before Edit. */
  rowActions?: (e: Entry) => Child;
}

/** A field's value in a cell: switches as Yes / No, an empty list as a dash. */
export function cellText(v: unknown, node?: SchemaNode): string {
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (Array.isArray(v) && !v.length) return '—';
  if (v === undefined && node && kindOf(node) === 'bool') return node.default === true ? 'Yes' : 'No';
  if (typeof v === 'string' && node && kindOf(node) === 'enum') return labelOf(node, v);
  return show(v);
}

/** An entry's secret left unchanged: the form has no value to send for it, so a PUT would lose it. */
export function keepsSecret(form: SchemaForm): boolean {
  return [...form.fields.values()].some((f) => f.secret && f.initial !== undefined && f.visible() && f.read().empty);
}

/**
 * The requests that stage an edited entry's changed fields only (the
 * fields of a collection's form are named without the entry's id).
 */
export function entrySteps(path: string, entry: Entry, leaves: Leaf[]): Step[] {
  const at = `${path}[${entry.id}]`;
  return planSave(at, entry, leaves.map((l) => ({ ...l, path: at + l.path.slice(path.length) })));
}

const reloaders = new WeakMap<HTMLElement, () => Promise<void>>();

/** Reads a table's collection again and redraws it (e.g. when what its cells show arrived). */
export function reloadTable(card: HTMLElement): Promise<void> {
  return reloaders.get(card)?.() ?? Promise.resolve();
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function collectionTable(path: string, opts: TableOptions): HTMLElement {
  const card = h('section', { class: 'card', 'data-test': 'table-' + path }, h('p', { class: 'muted' }, 'Loading…'));
  const msg = banner();
  /** After a reload, the control to give the focus back to (a move by keyboard). */
  let refocus: { id: number; test: string } | null = null;

  const load = async () => {
    let schema, rows: Entry[];
    try {
      [schema, rows] = await Promise.all([loadSchema(), get<Entry[]>(configUrl(path))]);
    } catch (e) {
      fill(card, msg.el);
      msg.error(e);
      return;
    }
    const item = nodeAt(schema, path)?.items;
    if (!item?.properties) {
      fill(card, h('p', null, `${path}: not in the schema`));
      return;
    }
    const props = item.properties;
    const cells = opts.cells || {};
    const cols = (opts.columns || Object.keys(props)).filter((k) =>
      cells[k] || (k !== 'id' && props[k] && kindOf(props[k]) !== 'object'));
    const seqField = opts.reorder;
    const list = Array.isArray(rows) ? (seqField ? bySequence(rows, seqField) : rows) : [];

    /* the schema's uniqueness among the other entries, as the daemon checks it */
    const unique = (form: SchemaForm, entry?: Entry) => {
      const others = list.filter((r) => r.id !== entry?.id);
      const dups = duplicates(nodeAt(schema, path)!, path, form.value(), others);
      for (const d of dups) form.fields.get(`${path}.${d.field}`)?.setError(d.error);
      form.fields.get(`${path}.${dups[0]?.field}`)?.input.focus();
      return !dups.length;
    };

    const edit = (entry?: Entry) => {
      const form = buildForm(schema, path, entry || {}, { idPrefix: 'dlg', ...opts.form });
      const dmsg = banner('dialog-banner');
      const save = h('button', { type: 'submit', class: 'primary', 'data-test': 'save' }, entry ? 'Save' : 'Add');
      const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close() }, 'Cancel');
      const f = h('form', { novalidate: true, class: 'form', 'data-test': 'entry-form' }, dmsg.el, form.el, h('div', { class: 'form-actions' }, save, cancel));
      const dlg = openDialog({ title: entry ? `Edit ${opts.noun}` : opts.addLabel || `Add ${opts.noun}`, body: f, test: 'entry-dialog' });
      opts.enhance?.(form, entry, dlg);
      f.addEventListener('submit', (e) => {
        e.preventDefault();
        dmsg.set(null);
        if (!form.validate() || !unique(form, entry)) {
          dmsg.set('error', 'Some fields need attention.');
          return;
        }
        void busy(save, async () => {
          try {
            if (entry && keepsSecret(form)) await runSteps(entrySteps(path, entry, form.leaves()));
            else if (entry) await put(configUrl(`${path}[${entry.id}]`), form.value());
            else await post(configUrl(path), form.value());
          } catch (err) {
            const rest = form.showErrors(err);
            dmsg.set('error', rest.length ? rest.map((r) => r.message).join('\n') : 'Some fields need attention.');
            return;
          }
          dlg.close();
          await changed(`${cap(opts.noun)} ${entry ? 'saved' : 'added'}.`);
        });
      });
    };

    const remove = (entry: Entry, btn: HTMLButtonElement) =>
      busy(btn, async () => {
        try {
          await del(configUrl(`${path}[${entry.id}]`));
        } catch (e) {
          msg.error(e);
          return;
        }
        await changed(`${cap(opts.noun)} deleted.`);
      });

    /** Stages the order of list with the entry at from moved to to. */
    const reorder = async (from: number, to: number, focus?: string) => {
      if (!seqField || to < 0 || to >= list.length || from === to) return;
      const moved = list[from];
      const changes = renumber(moveItem(list, from, to), seqField);
      if (!changes.length) return;
      const { path: at, body } = reorderPatch(path, seqField, changes);
      refocus = focus ? { id: moved.id, test: focus } : null;
      tbody.setAttribute('aria-busy', 'true');
      try {
        await patch(configUrl(at), body);
      } catch (e) {
        msg.error(e);
        await load();
        return;
      }
      await changed(`${cap(opts.noun)} ${label(moved)} moved to position ${to + 1}; ${changes.length} renumbered.`);
    };

    const label = opts.label || ((e: Entry) => String(e.name || e.description || e.hostname || e.mac || e.ip || e.id));
    const moveBtn = (e: Entry, i: number, dir: -1 | 1) => h('button', {
      type: 'button',
      class: 'small secondary move',
      'data-test': dir < 0 ? 'move-up' : 'move-down',
      'aria-label': `Move ${opts.noun} ${label(e)} ${dir < 0 ? 'up' : 'down'}`,
      title: dir < 0 ? 'Move up' : 'Move down',
      disabled: dir < 0 ? i === 0 : i === list.length - 1,
      onclick: () => reorder(i, i + dir, dir < 0 ? 'move-up' : 'move-down'),
    }, dir < 0 ? '↑' : '↓');
    const grip = (e: Entry, i: number) => h('td', { class: 'grip-cell' },
      h('button', {
        type: 'button',
        class: 'grip',
        'data-test': 'grip',
        'aria-label': `Drag to reorder ${opts.noun} ${label(e)}; or Arrow Up / Arrow Down`,
        title: 'Drag to reorder',
        onkeydown: (ev: KeyboardEvent) => {
          const d = ev.key === 'ArrowUp' ? -1 : ev.key === 'ArrowDown' ? 1 : 0;
          if (!d) return;
          ev.preventDefault();
          void reorder(i, i + d, 'grip');
        },
      }, h('span', { 'aria-hidden': 'true' }, '⋮⋮')));

    const colSpan = cols.length + 1 + (seqField ? 1 : 0);
    const rowsEl = list.length
      ? list.map((e, i) => {
          const delBtn: HTMLButtonElement = h('button', { type: 'button', class: 'small danger', 'data-test': 'delete', 'aria-label': `Delete ${opts.noun} ${label(e)}`, onclick: () => remove(e, delBtn) }, 'Delete');
          return h('tr', { 'data-test': 'entry-' + e.id, 'data-id': String(e.id) },
            seqField ? grip(e, i) : null,
            cols.map((c) => h('td', { 'data-label': cells[c]?.title ?? titleOf(props[c], c) },
              cells[c] ? cells[c].render(e) : cellText(e[c] ?? (props[c].default as unknown), props[c]))),
            h('td', { class: 'actions' },
              seqField ? [moveBtn(e, i, -1), moveBtn(e, i, 1)] : null,
              opts.rowActions?.(e),
              h('button', { type: 'button', class: 'small secondary', 'data-test': 'edit', 'aria-label': `Edit ${opts.noun} ${label(e)}`, onclick: () => edit(e) }, 'Edit'),
              delBtn));
        })
      : [emptyRow(colSpan, `No ${plural(opts.noun)} yet.`)];
    const heading = opts.heading ?? titleOf(nodeAt(schema, path), path);
    const head = [...(seqField ? ['Move'] : []), ...cols.map((c) => cells[c]?.title ?? titleOf(props[c], c)), 'Actions'];
    const tableEl = table(head, rowsEl, 'collection-' + path);
    const tbody = tableEl.querySelector('tbody')!;
    if (seqField && list.length > 1) dragRows(tbody, '[data-test="grip"]', (from, to) => void reorder(from, to));
    fill(card,
      h('div', { class: 'card-head' }, h('h2', null, heading),
        h('button', { type: 'button', class: opts.addLabel ? 'create small' : 'primary small', 'data-test': 'add', onclick: () => edit() }, opts.addLabel || `Add ${opts.noun}`)),
      opts.intro ? h('p', { class: 'muted' }, opts.intro) : null,
      msg.el,
      tableEl);
    if (refocus) {
      const r = refocus;
      refocus = null;
      const row = tbody.querySelector(`[data-test="entry-${r.id}"]`);
      const b = row?.querySelector<HTMLButtonElement>(`[data-test="${r.test}"]`);
      (b && !b.disabled ? b : row?.querySelector<HTMLButtonElement>('[data-test="grip"]'))?.focus();
    }
  };

  const changed = async (note: string) => {
    const n = (await refreshChanges()).length;
    await load();
    msg.set('ok', `${note} ${n} unsaved change${n === 1 ? '' : 's'}: apply from the red pill next to the title.`);
    opts.onChange?.();
  };

  reloaders.set(card, load);
  void load();
  return card;
}
