/*
 * Helpers on top of generated fields: names to pick for a list field that
 * also takes free text (alias names in firewall rules), and a checkbox
 * picker that fills a list field (countries, premade domain lists), the
 * router's devices for a device field. The field's own text input stays
 * the value: typing works as before.
 */
import { get } from './api';
import { h, uid } from './dom';
import type { Field } from './field';
import type { SchemaForm } from './form';
import { splitList } from './validate';

/** Tells the field its text changed (validation, conditional fields). */
function touch(input: HTMLInputElement | HTMLSelectElement): void {
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

/** The text of a list with item added at its end (unless it is there already). */
export function withItem(text: string, item: string): string {
  const items = splitList(text);
  if (items.includes(item)) return items.join(', ');
  return [...items, item].join(', ');
}

/** The text of a list without item. */
export function withoutItem(text: string, item: string): string {
  return splitList(text).filter((x) => x !== item).join(', ');
}

/**
 * Datalist options for a list typed as text: each name after what is typed
 * so far up to the last separator, so that choosing one completes the item
 * being typed and keeps the others.
 */
export function completions(text: string, names: string[]): string[] {
  const cut = Math.max(text.lastIndexOf(','), text.lastIndexOf(' '));
  const head = cut < 0 ? '' : text.slice(0, cut + 1).replace(/[\s,]+$/, '');
  const have = new Set(splitList(head));
  return names.filter((n) => !have.has(n)).map((n) => (head ? `${head}, ${n}` : n));
}

/**
 * Offers names for a field: a datalist under its input and, for a list
 * field, one button per name that adds it. what names the kind of name
 * ("IP aliases"); nothing is shown when there are no names.
 */
export function suggestNames(f: Field, names: string[], what: string): void {
  const input = f.input as HTMLInputElement;
  if (!names.length || input.tagName !== 'INPUT') return;
  const list = h('datalist', { id: uid('dl') });
  const refresh = () => {
    const opts = f.kind === 'list' ? completions(input.value, names) : names;
    list.replaceChildren(...opts.map((o) => h('option', { value: o })));
  };
  input.setAttribute('list', list.id);
  input.addEventListener('input', refresh);
  refresh();
  const row = f.kind === 'list'
    ? h('div', { class: 'suggest', 'data-test': 'suggest-' + f.path },
        h('span', { class: 'muted' }, what + ':'),
        names.map((n) => h('button', {
          type: 'button',
          class: 'chip',
          'data-test': 'suggest',
          'data-value': n,
          'aria-label': `Add ${n} to ${f.key.replace(/_/g, ' ')}`,
          onclick: () => {
            input.value = withItem(input.value, n);
            touch(input);
            input.focus();
          },
        }, '+ ' + n)))
    : null;
  input.after(list);
  if (row) f.error.before(row);
}

export interface PickOption {
  value: string;
  label: string;
  /** A second line: what the option holds, its state. */
  detail?: string;
  /** Shown apart (e.g. a list never fetched). */
  warn?: boolean;
}

/**
 * A checkbox list that edits a list field: checking adds the value to the
 * field's text, unchecking removes it; typing in the field checks the boxes.
 * With filter, a search box narrows the options by label or value.
 */
export function picker(f: Field, options: PickOption[], opts: { label: string; filter?: boolean }): HTMLElement {
  const input = f.input as HTMLInputElement;
  const boxes = new Map<string, HTMLInputElement>();
  const rows = options.map((o) => {
    const id = uid('pick');
    const box = h('input', {
      type: 'checkbox',
      id,
      value: o.value,
      'data-test': 'pick-' + o.value,
      onchange: () => {
        input.value = box.checked ? withItem(input.value, o.value) : withoutItem(input.value, o.value);
        touch(input);
        summary();
      },
    });
    boxes.set(o.value, box);
    return h('li', { class: o.warn ? 'warn' : undefined, 'data-value': o.value, 'data-text': `${o.label} ${o.value}`.toLowerCase() },
      box,
      h('label', { for: id }, h('span', null, o.label), o.detail ? h('span', { class: 'detail' }, o.detail) : null));
  });
  const chosen = h('p', { class: 'picked', 'data-test': 'picked', 'aria-live': 'polite' });
  const names = new Map(options.map((o) => [o.value, o.label]));
  const summary = () => {
    const sel = splitList(input.value);
    chosen.textContent = sel.length ? 'Chosen: ' + sel.map((v) => names.get(v) || v).join(', ') : 'None chosen.';
  };
  const sync = () => {
    const sel = new Set(splitList(input.value));
    for (const [v, b] of boxes) b.checked = sel.has(v);
    summary();
  };
  input.addEventListener('input', sync);
  const ul = h('ul', { class: 'pick-list', role: 'group', 'aria-label': opts.label }, rows);
  let search: HTMLInputElement | null = null;
  if (opts.filter) {
    search = h('input', {
      type: 'search',
      class: 'pick-filter',
      'data-test': 'picker-filter',
      'aria-label': 'Filter: ' + opts.label,
      placeholder: 'Filter by name or code',
      autocomplete: 'off',
      oninput: () => {
        const q = search!.value.trim().toLowerCase();
        for (const li of rows) li.hidden = !!q && !(li.dataset.text || '').includes(q);
      },
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Enter') e.preventDefault(); // not a submit of the dialog's form
      },
    });
  }
  const el = h('div', { class: 'picker', 'data-test': 'picker-' + f.path }, search, ul, chosen);
  sync();
  f.error.before(el);
  return el;
}

/** Offers the router's live device names (but lo) for a form's field at path. */
export function suggestDevices(form: SchemaForm, path: string): void {
  const f = form.fields.get(path);
  if (!f) return;
  void get<{ name?: string }[]>('/interfaces').then((ifs) => {
    const names = (Array.isArray(ifs) ? ifs : []).map((i) => i.name).filter((n): n is string => !!n && n !== 'lo');
    suggestNames(f, names, 'Devices');
  }, () => {});
}

export interface ChoiceOption {
  value: string;
  label: string;
}

/**
 * A select in place of a field's text input (an extension picked by number
 * and name, a trunk by name): the select takes the input's id and name, the
 * input stays hidden and holds the value, so reading, checking and errors
 * work as before. A value held that is not among the options stays, named
 * so; empty gives the first option for no value (absent: one is required).
 */
export function chooser(f: Field, options: ChoiceOption[], opts: { empty?: string; missing?: (v: string) => string } = {}): HTMLSelectElement {
  const input = f.input as HTMLInputElement;
  const cur = input.value.trim();
  const list = [...options];
  if (cur && !list.some((o) => o.value === cur)) list.push({ value: cur, label: opts.missing ? opts.missing(cur) : cur });
  const sel = h('select', {
    id: input.id,
    name: input.name,
    'aria-describedby': input.getAttribute('aria-describedby') || undefined,
    'aria-required': input.getAttribute('aria-required') || undefined,
    'data-test': 'choose-' + f.path,
    onchange: () => {
      input.value = sel.value;
      touch(input);
    },
  },
  opts.empty !== undefined || !cur ? h('option', { value: '' }, opts.empty ?? '— choose —') : null,
  list.map((o) => h('option', { value: o.value }, o.label)));
  sel.value = cur;
  input.id += '-text';
  input.removeAttribute('name');
  input.hidden = true;
  input.tabIndex = -1;
  // the form focuses a bad field's input: the select stands for it
  input.focus = (o?: FocusOptions) => sel.focus(o);
  // an error put on the field (its check, the router's refusal) shows on the select too
  new MutationObserver(() => {
    const bad = input.getAttribute('aria-invalid');
    if (bad) sel.setAttribute('aria-invalid', bad);
    else sel.removeAttribute('aria-invalid');
  }).observe(input, { attributes: true, attributeFilter: ['aria-invalid'] });
  input.after(sel);
  return sel;
}
