/*
 * The form generator: given the schema and a document path ("lan",
 * "dhcp.static_leases" for one entry of a collection), builds one field per
 * scalar or list, a fieldset per nested object, and skips collections (they
 * get tables, see table.ts). Knows what changed, plans the requests that
 * stage it, and puts server errors on their fields.
 */
import { ApiError, configUrl, patch, del, type ErrorItem } from './api';
import { h } from './dom';
import { makeField, MASK, type Field } from './field';
import { kindOf, membersOf, nodeAt, titleOf, type SchemaNode } from './schema';

/* The order of the fields and when they show are the schema's (x-difos-order, x-difos-when). */
export interface FormOptions {
  /** Relative paths not to render. */
  skip?: string[];
  /** Only these keys of the top object (and everything below them). */
  only?: string[];
  /** Prefix of the element ids (unique per form on a page). */
  idPrefix?: string;
  /** A field's help in the page's words instead of the schema's, by relative path. */
  hints?: Record<string, string>;
}

export interface Leaf {
  path: string;
  value?: unknown;
  clear?: boolean;
}

export interface SchemaForm {
  el: HTMLElement;
  fields: Map<string, Field>;
  /** Shows every error; focuses the first bad field; true when all are fine. */
  validate(): boolean;
  /** The changed fields (visible ones only). */
  leaves(): Leaf[];
  /** The whole value as an object: visible, non-empty fields (for a collection entry). */
  value(): Record<string, unknown>;
  /** Puts the server's errors on their fields; returns those that match no field. */
  showErrors(e: unknown): ErrorItem[];
  clearErrors(): void;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

let formSeq = 0;

export function buildForm(root: SchemaNode, path: string, value: unknown, opts: FormOptions = {}): SchemaForm {
  const top = nodeAt(root, path);
  if (!top) throw new Error(`${path}: not in the schema`);
  const objNode = kindOf(top) === 'collection' && top.items ? top.items : top;
  const prefix = opts.idPrefix || `f${++formSeq}`;
  const fields = new Map<string, Field>();
  const skip = new Set(opts.skip || []);

  const conditions: [string, string, unknown[], unknown][] = [];

  function walk(node: SchemaNode, abs: string, rel: string, val: unknown, into: HTMLElement) {
    const props = node.properties || {};
    const keys = membersOf(node).filter((k) => {
      const r = rel ? `${rel}.${k}` : k;
      const n = props[k];
      if (!rel && opts.only && !opts.only.includes(k)) return false;
      return !skip.has(r) && kindOf(n) !== 'collection' && !(n.readOnly && k === 'id');
    });
    const isGroup = (k: string) => kindOf(props[k]) === 'object';
    for (const k of keys) {
      const w = props[k]['x-difos-when'];
      if (w) conditions.push([abs ? `${abs}.${k}` : k, abs ? `${abs}.${w.field}` : w.field, w.values, props[w.field]?.default]);
    }
    const v = isObj(val) ? val : {};
    for (const k of keys) {
      const n = props[k];
      const a = abs ? `${abs}.${k}` : k;
      const r = rel ? `${rel}.${k}` : k;
      if (isGroup(k)) {
        const fs = h('fieldset', { class: 'group', 'data-group': a }, h('legend', null, titleOf(n, k)),
          n.description ? h('p', { class: 'hint' }, n.description) : null);
        walk(n, a, r, v[k], fs);
        into.appendChild(fs);
      } else {
        const f = makeField(a, k, n, v[k], !!node.required?.includes(k), prefix, opts.hints?.[r]);
        fields.set(a, f);
        into.appendChild(f.wrap);
      }
    }
  }

  const el = h('div', { class: 'fields' });
  walk(objNode, path, '', value, el);

  // conditional fields (an empty control: its default)
  for (const [fieldPath, ctlPath, values, empty] of conditions) {
    const f = fields.get(fieldPath);
    const ctl = fields.get(ctlPath);
    if (!f || !ctl) continue;
    const update = () => {
      const r = ctl.read();
      const cur = r.empty ? empty : r.value;
      // the schema gives the values as text ("true" for a switch)
      f.wrap.hidden = !values.some((v) => v === cur || (cur !== undefined && String(v) === String(cur)));
      if (f.wrap.hidden) f.setError(null);
    };
    ctl.input.addEventListener('change', update);
    ctl.input.addEventListener('input', update);
    update();
  }

  const form: SchemaForm = {
    el,
    fields,
    validate() {
      let first: Field | null = null;
      for (const f of fields.values()) if (!f.check() && !first) first = f;
      if (first) first.input.focus();
      return !first;
    },
    leaves() {
      const out: Leaf[] = [];
      for (const f of fields.values()) {
        const c = f.change();
        if (c === 'set') out.push({ path: f.path, value: f.read().value });
        else if (c === 'clear') out.push({ path: f.path, clear: true });
      }
      return out;
    },
    value() {
      const out: Obj = {};
      for (const f of fields.values()) {
        if (f.node.readOnly || !f.visible()) continue;
        const r = f.read();
        if (r.empty || r.error) continue;
        setIn(out, f.path.slice(path.length + 1).split('.'), r.value);
      }
      return out;
    },
    showErrors(e) {
      if (!(e instanceof ApiError)) return [{ message: e instanceof Error ? e.message : String(e) }];
      const items: ErrorItem[] = e.errors.length ? e.errors : [{ path: e.path, value: e.value, message: e.message }];
      const rest: ErrorItem[] = [];
      let first: Field | null = null;
      for (const it of items) {
        const f = it.path ? fields.get(it.path.replace(/\[\d+\]/g, '')) : undefined;
        if (f && f.visible()) {
          f.setError(stripPath(it.message, it.path!));
          first = first || f;
        } else rest.push(it);
      }
      first?.input.focus();
      return rest;
    },
    clearErrors() {
      for (const f of fields.values()) f.setError(null);
    },
  };
  return form;
}

/** "lan.dhcp.start: 10.0.0.5 is outside ..." -> "10.0.0.5 is outside ..." */
export function stripPath(msg: string, path: string): string {
  const m = msg.startsWith(path + ': ') ? msg.slice(path.length + 2) : msg;
  return m.charAt(0).toUpperCase() + m.slice(1);
}

function setIn(o: Obj, segs: string[], v: unknown) {
  let cur = o;
  for (const s of segs.slice(0, -1)) {
    if (!isObj(cur[s])) cur[s] = {};
    cur = cur[s] as Obj;
  }
  cur[segs[segs.length - 1]] = v;
}

function hasMask(v: unknown): boolean {
  if (v === MASK) return true;
  if (Array.isArray(v)) return v.some(hasMask);
  return isObj(v) && Object.values(v).some(hasMask);
}

export interface Step {
  method: 'PATCH' | 'DELETE';
  path: string;
  body?: Obj;
}

const parentOf = (p: string) => p.slice(0, p.lastIndexOf('.'));
const keyOf = (p: string) => p.slice(p.lastIndexOf('.') + 1);

/**
 * The requests that stage a form's changes. Changes under one object: one
 * PATCH of that object with the changed keys. Changes under several objects:
 * one PATCH of the form's object carrying each touched sub-object whole (the
 * loaded value with the changes merged in), so that fields checked against
 * each other (the LAN address and its DHCP pool) change in one step. A
 * cleared optional field becomes a DELETE of its path.
 */
export function planSave(base: string, initial: unknown, leaves: Leaf[]): Step[] {
  const sets = leaves.filter((l) => !l.clear);
  const clears = leaves.filter((l) => l.clear);
  const parents = [...new Set(sets.map((l) => parentOf(l.path)))];
  const simple = (): Step[] => [
    ...parents.map((p): Step => ({
      method: 'PATCH',
      path: p,
      body: Object.fromEntries(sets.filter((l) => parentOf(l.path) === p).map((l) => [keyOf(l.path), l.value])),
    })),
    ...clears.map((l): Step => ({ method: 'DELETE', path: l.path })),
  ];
  if (parents.length <= 1 && (clears.length === 0 || parents.length === 0)) return simple();
  const init = isObj(initial) ? initial : {};
  const body: Obj = {};
  const deletes: Step[] = [];
  for (const l of leaves) {
    const rel = l.path.slice(base.length + 1).split('.');
    const t = rel[0];
    if (rel.length === 1) {
      if (l.clear) deletes.push({ method: 'DELETE', path: l.path });
      else body[t] = l.value;
      continue;
    }
    if (!isObj(body[t])) body[t] = structuredClone(isObj(init[t]) ? init[t] : {});
    let cur = body[t] as Obj;
    for (const s of rel.slice(1, -1)) {
      if (!isObj(cur[s])) cur[s] = {};
      cur = cur[s] as Obj;
    }
    if (l.clear) delete cur[rel[rel.length - 1]];
    else cur[rel[rel.length - 1]] = l.value;
  }
  // a masked secret would be written back as the mask: stage field by field instead
  if (Object.values(body).some(hasMask)) return simple();
  const steps: Step[] = Object.keys(body).length ? [{ method: 'PATCH', path: base, body }] : [];
  return [...steps, ...deletes];
}

/** Runs the steps one after the other; stops at the first error (thrown). */
export async function runSteps(steps: Step[]): Promise<void> {
  for (const s of steps) {
    if (s.method === 'PATCH') await patch(configUrl(s.path), s.body);
    else await del(configUrl(s.path));
  }
}
