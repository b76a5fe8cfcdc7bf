/*
 * One input generated from one schema field: its label, hint, error line,
 * and the reading/validation of its value by x-difos-kind.
 */
import { h, pathId } from './dom';
import { isSecret, kindOf, labelOf, titleOf, type SchemaNode } from './schema';
import { checkList, checkScalar, type Checked } from './validate';

export interface Reading extends Checked {
  /** Nothing entered (an optional field left blank, a secret left unchanged). */
  empty?: boolean;
}

export interface Field {
  path: string;
  key: string;
  node: SchemaNode;
  kind: string;
  required: boolean;
  secret: boolean;
  initial: unknown;
  wrap: HTMLElement;
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  error: HTMLElement;
  read(): Reading;
  /** Validates, shows or clears the error; true when the value is acceptable. */
  check(): boolean;
  setError(msg: string | null): void;
  /** How the value differs from the loaded one: null (same), "set" or "clear". */
  change(): null | 'set' | 'clear';
  visible(): boolean;
}

export const MASK = '********';

function show(v: unknown, kind: string): string {
  if (v === undefined || v === null) return '';
  if (kind === 'list' && Array.isArray(v)) return v.join(', ');
  return String(v);
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function makeField(path: string, key: string, node: SchemaNode, initial: unknown, required: boolean, idPrefix: string, hintText?: string): Field {
  const kind = kindOf(node);
  const secret = isSecret(node);
  const id = `${idPrefix}-${pathId(path)}`;
  const hintId = id + '-hint';
  const errId = id + '-err';
  const title = titleOf(node, key);
  const hintWords = hintText ?? node.description;
  const describedBy = (hintWords ? hintId + ' ' : '') + errId;
  const common = {
    id,
    name: path,
    'aria-describedby': describedBy,
    'aria-required': required ? 'true' : undefined,
    disabled: node.readOnly,
  };
  let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  if (kind === 'bool') {
    input = h('input', { ...common, type: 'checkbox', role: 'switch', checked: initial === undefined ? node.default === true : initial === true });
  } else if (kind === 'enum') {
    const opts = node.enum || [];
    const cur = show(initial ?? node.default, kind);
    input = h('select', common,
      !required || !cur ? h('option', { value: '' }, '—') : null,
      opts.map((o) => h('option', { value: o }, labelOf(node, o))));
    input.value = cur;
  } else if (kind === 'text') {
    // several lines as written (configuration text)
    input = h('textarea', { ...common, rows: 6, class: 'code', value: show(initial, kind), autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false' });
  } else {
    const numeric = kind === 'int' || kind === 'port' || kind === 'ref';
    input = h('input', {
      ...common,
      type: secret ? 'password' : 'text',
      value: secret ? '' : show(initial, kind),
      placeholder: secret ? (initial ? 'unchanged' : '') : initial === undefined && node.default !== undefined ? show(node.default, kind) : undefined,
      inputmode: numeric ? 'numeric' : kind === 'rate' ? 'decimal' : undefined,
      autocomplete: secret ? 'new-password' : 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
    });
  }
  const error = h('p', { class: 'field-error', id: errId, 'data-test': 'error-' + path, 'aria-live': 'polite' });
  const label = h('label', { for: id }, title, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  const hint = hintWords ? h('p', { class: 'hint', id: hintId }, hintWords) : null;
  const wrap = kind === 'bool'
    ? h('div', { class: 'field field-bool', 'data-field': path }, h('div', { class: 'check' }, input, label), hint, error)
    : h('div', { class: 'field', 'data-field': path }, label, input, hint, error);

  const read = (): Reading => {
    if (kind === 'bool') return { value: (input as HTMLInputElement).checked };
    const raw = input.value;
    const text = kind === 'string' || kind === 'text' || secret ? raw : raw.trim();
    // a list left blank where the document has none: its default applies
    if (kind === 'list') return text === '' && initial === undefined ? { empty: true } : checkList(node, text);
    if (text === '') return { empty: true };
    return checkScalar(node, text, kind);
  };

  const base = read();

  const f: Field = {
    path, key, node, kind, required, secret, initial, wrap, input, error, read,
    setError(msg) {
      error.textContent = msg || '';
      if (msg) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      wrap.classList.toggle('invalid', !!msg);
    },
    check() {
      if (node.readOnly || !f.visible()) {
        f.setError(null);
        return true;
      }
      const r = read();
      let msg = r.error || null;
      if (!msg && r.empty && required && !(secret && initial)) msg = 'Required';
      f.setError(msg);
      return !msg;
    },
    change() {
      if (node.readOnly || !f.visible()) return null;
      const r = read();
      if (r.empty) return base.empty || secret ? null : 'clear';
      if (base.empty) return 'set';
      return sameValue(r.value, base.value) ? null : 'set';
    },
    visible() {
      return !wrap.hidden;
    },
  };
  const onEdit = () => f.check();
  input.addEventListener('input', onEdit);
  input.addEventListener('change', onEdit);
  input.addEventListener('blur', onEdit);
  return f;
}
