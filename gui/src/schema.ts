/*
 * The published JSON Schema: types, lookup by document path, loading.
 * Every field carries x-difos-kind; the form generator (form.ts) and the
 * table generator (table.ts) build their widgets from it.
 */
import { get } from './api';

export interface SchemaNode {
  type?: string | string[];
  'x-difos-kind'?: string;
  'x-difos-ref'?: string;
  'x-difos-secret'?: boolean;
  title?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  enum?: string[];
  format?: string;
  readOnly?: boolean;
  writeOnly?: boolean;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  /** An object's members in the order forms show them. */
  'x-difos-order'?: string[];
  /** Shown only while the sibling field has one of the values (an empty one: its default). */
  'x-difos-when'?: { field: string; values: unknown[] };
  /** The page tab the field (or section) shows on. */
  'x-difos-tab'?: { id: string; title: string };
  /** Unique where: "collection" (a member, among the entries), "items" (a list's), or a set's name. */
  'x-difos-unique'?: string;
  /** A collection: members whose values together no two entries share, and how a duplicate is told. */
  'x-difos-unique-key'?: { fields: string[]; says?: string };
  /** What forms and tables show for each value of an enum ("tcpudp": "TCP and UDP"). */
  'x-difos-labels'?: Record<string, string>;
  /** What a value that does not match the pattern is told, after the value. */
  'x-difos-pattern-says'?: string;
}

/** The words for a value of an enum field; the value itself when it has none. */
export function labelOf(n: SchemaNode | undefined, v: string): string {
  return n?.['x-difos-labels']?.[v] ?? v;
}

/** The field's kind; derived from the JSON type when the annotation is missing. */
export function kindOf(n: SchemaNode): string {
  const k = n['x-difos-kind'];
  if (k) return k;
  const t = Array.isArray(n.type) ? n.type[0] : n.type;
  if (t === 'object') return 'object';
  if (t === 'array') return n.items?.type === 'object' ? 'collection' : 'list';
  if (t === 'boolean') return 'bool';
  if (t === 'integer') return 'int';
  if (t === 'number') return 'rate';
  if (n.enum) return 'enum';
  return 'string';
}

/**
 * The node at a document path: "lan.dhcp", "dhcp.static_leases" (the
 * collection) or "dhcp.static_leases[3]" / "dhcp.static_leases.3" (an entry).
 */
export function nodeAt(root: SchemaNode, path: string): SchemaNode | undefined {
  const segs = path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  let n: SchemaNode | undefined = root;
  for (const s of segs) {
    if (!n) return undefined;
    if (/^\d+$/.test(s) && n.items) n = n.items;
    else n = n.properties?.[s];
  }
  return n;
}

/** A human title for a field: its schema title or its key made readable. */
export function titleOf(n: SchemaNode | undefined, key: string): string {
  if (n?.title && n.title !== key) return n.title;
  const t = key.replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** An object's member names in display order (the schema's x-difos-order). */
export function membersOf(n: SchemaNode): string[] {
  const keys = Object.keys(n.properties || {});
  const order = n['x-difos-order'] || [];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length + keys.indexOf(k));
  return [...keys].sort((a, b) => rank(a) - rank(b));
}

export interface SchemaTab {
  id: string;
  title: string;
  /** Document paths shown on the tab: sections, or members of a section. */
  paths: string[];
}

/**
 * The tabs of a page showing these sections, in display order: each
 * section, or each member of it, names its tab (x-difos-tab).
 */
export function tabsOf(root: SchemaNode, sections: string[]): SchemaTab[] {
  const tabs: SchemaTab[] = [];
  const add = (t: { id: string; title: string } | undefined, path: string) => {
    if (!t) return;
    let tab = tabs.find((x) => x.id === t.id);
    if (!tab) tabs.push((tab = { id: t.id, title: t.title, paths: [] }));
    tab.paths.push(path);
  };
  for (const s of sections) {
    const node = root.properties?.[s];
    if (!node) continue;
    add(node['x-difos-tab'], s);
    for (const k of membersOf(node)) add(node.properties![k]['x-difos-tab'], `${s}.${k}`);
  }
  return tabs;
}

export function isSecret(n: SchemaNode): boolean {
  return !!(n.writeOnly || n['x-difos-secret']);
}

let cached: Promise<SchemaNode> | null = null;

export function loadSchema(): Promise<SchemaNode> {
  if (!cached) {
    cached = get<SchemaNode>('/schema');
    cached.catch(() => (cached = null));
  }
  return cached;
}

/** For tests and after a logout. */
export function resetSchema(s?: SchemaNode): void {
  cached = s ? Promise.resolve(s) : null;
}
