/*
 * A change list ([{op, path, old, new}]) as rows: where, old -> new. With
 * the schema (and the staged document), "firewall.rules[3].index" reads
 * "Firewall › Traffic rules › SSH › Index": titles, and entries by their
 * name, never by their internal id (which stays in data-path for tools).
 */
import { h } from './dom';
import { value } from './format';
import { titleOf, type SchemaNode } from './schema';

export interface Change {
  op: 'added' | 'removed' | 'modified' | string;
  path: string;
  old?: unknown;
  new?: unknown;
}

export interface ChangeContext {
  schema?: SchemaNode;
  /** The staged document: entries are named from it. */
  doc?: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** How an entry is called: its name, description, host name, MAC or address. */
export function entryName(e: unknown): string | undefined {
  if (!isObj(e)) return undefined;
  for (const k of ['name', 'description', 'hostname', 'mac', 'ip', 'lan_ip', 'device']) {
    const v = e[k];
    if (typeof v === 'string' && v) return v;
  }
  return undefined;
}

/** A value without the internal ids of entries. */
function shown(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shown);
  if (!isObj(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'id').map(([k, x]) => [k, shown(x)]));
}

/** The path in words: titles of the schema, entries by their name. */
export function changePlace(c: Change, ctx: ChangeContext = {}): string {
  const segs = c.path.match(/[^.[\]]+|\[\d+\]/g) || [c.path];
  const out: string[] = [];
  let node: SchemaNode | undefined = ctx.schema;
  let doc: unknown = ctx.doc;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    const id = /^\[(\d+)\]$/.exec(s);
    if (id) {
      const list: unknown[] = Array.isArray(doc) ? doc : [];
      const at = list.findIndex((e) => isObj(e) && e.id === Number(id[1]));
      const entry = at >= 0 ? list[at] : undefined;
      const last = i === segs.length - 1;
      const name = entryName(entry) ?? (last ? entryName(c.new) ?? entryName(c.old) : undefined);
      out.push(name ? `“${name}”` : at >= 0 ? `entry ${at + 1}` : c.op === 'added' ? 'new entry' : 'entry');
      doc = entry;
      node = node?.items;
      continue;
    }
    const child: SchemaNode | undefined = node?.properties?.[s];
    out.push(ctx.schema ? titleOf(child, s) : s);
    node = child;
    doc = isObj(doc) ? doc[s] : undefined;
  }
  return out.join(' › ');
}

export function changeList(changes: Change[], test = 'change-list', ctx: ChangeContext = {}): HTMLElement {
  if (!changes.length) return h('p', { class: 'muted', 'data-test': test }, 'No differences.');
  return h('ul', { class: 'changes', 'data-test': test },
    changes.map((c) => h('li', { class: 'change op-' + c.op, 'data-test': 'change', 'data-path': c.path },
      h('span', { class: 'op' }, c.op),
      h('span', { class: 'path' }, changePlace(c, ctx)),
      h('span', { class: 'diff' },
        c.op !== 'added' ? h('del', { class: 'old' }, value(shown(c.old))) : null,
        c.op === 'modified' ? h('span', { class: 'arrow', 'aria-label': 'becomes' }, ' → ') : null,
        c.op !== 'removed' ? h('ins', { class: 'new' }, value(shown(c.new))) : null))));
}
