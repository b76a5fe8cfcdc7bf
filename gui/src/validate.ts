/*
 * Client-side checks by x-difos-kind, made from the daemon's kinds table
 * (kinds.gen.ts, generated from src/schema/kinds.c by make docs): each
 * kind's pattern, what the form says when text does not fit, and the
 * named rules checked after the pattern. They give early feedback; the
 * daemon decides. checkScalar(node, text) turns the text of an input into
 * the typed value or an error sentence.
 */
import { KINDS } from './kinds.gen';
import { kindOf, type SchemaNode } from './schema';

export interface Checked {
  value?: unknown;
  error?: string;
}

interface Rule {
  rule: string;
  message: string;
  value?: number;
}

interface Kind {
  type?: string;
  pattern?: string;
  hint?: string;
  rules: readonly Rule[];
}

const kinds = KINDS as unknown as Record<string, Kind>;
const compiled = new Map<string, RegExp>();

/** Does text have the form of the kind (its whole pattern)? */
export function fits(kind: string, text: string): boolean {
  const k = kinds[kind];
  if (!k?.pattern) return true;
  let re = compiled.get(kind);
  if (!re) {
    re = new RegExp(`^(${k.pattern})$`);
    compiled.set(kind, re);
  }
  return re.test(text);
}

const ruleOf = (kind: string, name: string) => kinds[kind]?.rules.find((r) => r.rule === name);

export const isIPv4 = (s: string) => fits('ipv4', s);
export const isIPv6 = (s: string) => fits('ipv6', s);
export const isCidr4 = (s: string) => fits('cidr4', s);
export const isCidr6 = (s: string) => fits('cidr6', s);
export const isMac = (s: string) => fits('mac', s);
export const isLabel = (s: string) => fits('hostname', s);
export const isFqdn = (s: string) => s.length <= 253 && fits('fqdn', s);
export const isDuid = (s: string) => fits('duid', s);
export const isIfname = (s: string) => fits('ifname', s);

/** The eight 16-bit groups of an IPv6 address (for the interface identifier rule), or null. */
export function parseIPv6(s: string): number[] | null {
  if (!isIPv6(s)) return null;
  let str = s;
  let tail: number[] = [];
  const m = /^(.*:)([0-9.]+)$/.exec(s);
  if (m && m[2].includes('.')) {
    const b = m[2].split('.').map(Number);
    tail = [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
    str = m[1].endsWith('::') ? m[1] : m[1].slice(0, -1);
  }
  const groups = (x: string) => (x ? x.split(':').map((g) => parseInt(g, 16)) : []);
  const dbl = str.indexOf('::');
  if (dbl < 0) return [...groups(str), ...tail];
  const l = groups(str.slice(0, dbl)), r = groups(str.slice(dbl + 2));
  return [...l, ...Array<number>(8 - tail.length - l.length - r.length).fill(0), ...r, ...tail];
}

/* ---- the rules a kind names, each once ---- */

/** Seconds per unit of a duration's text ("90", "30m", "12h", "7d", "2w"). */
const UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

type RuleFn = (text: string, value: unknown, n: SchemaNode) => boolean;

/** true: the text keeps the rule. */
const RULES: Record<string, RuleFn> = {
  /* not all zero (a MAC address, an interface identifier) */
  nonzero: (text) => /[1-9A-Fa-f]/.test(text),
  /* an IPv6 address whose first 64 bits are zero */
  suffix: (text) => !!parseIPv6(text)?.slice(0, 4).every((g) => g === 0),
  /* both ends of a range are ports */
  ports: (text) => text.split('-').every((p) => /^[1-9][0-9]{0,4}$/.test(p) && Number(p) <= 65535),
  /* "N-M" with N <= M */
  ordered: (text) => {
    const [lo, hi] = text.split('-').map(Number);
    return hi === undefined || lo <= hi;
  },
  /* above zero: a number, or a duration's seconds */
  positive: (text, value) => (typeof value === 'number' ? value > 0 : durationSeconds(text) !== 0),
  port: (_text, value, n) => {
    const [lo, hi] = portBounds(n);
    return typeof value === 'number' && value >= lo && value <= hi;
  },
  enum: (text, _v, n) => !n.enum || n.enum.includes(text),
  /* the duration's seconds, below the rule's value */
  seconds_max: (text) => text === 'infinite' || durationSeconds(text) <= (ruleOf('duration', 'seconds_max')?.value ?? Infinity),
  /* "infinite" only where the field takes it */
  finite: (text, _v, n) => text !== 'infinite' || (n.pattern ? matches(n.pattern, 'infinite') : n.default === 'infinite'),
};

function portBounds(n: SchemaNode): [number, number] {
  return [Math.max(1, n.minimum ?? 1), Math.min(65535, n.maximum ?? 65535)];
}

function durationSeconds(text: string): number {
  const m = /^([0-9]+)([smhdw]?)$/.exec(text);
  return m ? Number(m[1]) * UNIT[m[2]] : NaN;
}

/** A rule's message with the field's limits in it. */
function say(r: Rule, n: SchemaNode): string {
  const [lo, hi] = portBounds(n);
  return r.message.replace('{min}', String(lo)).replace('{max}', String(hi)).replace('{choices}', (n.enum || []).join(', '));
}

/** The kind's rules, in order: the first broken one's message. */
function broken(kind: string, text: string, value: unknown, n: SchemaNode): string | undefined {
  for (const r of kinds[kind]?.rules || []) {
    const keep = RULES[r.rule];
    if (keep && !keep(text, value, n)) return say(r, n);
  }
  return undefined;
}

/** Seconds of a duration ("90", "30m", "12h"), -1 for "infinite", or an error sentence. */
export function parseDuration(s: string): number | string {
  if (!fits('duration', s)) return kinds.duration.hint!;
  for (const name of ['positive', 'seconds_max']) {
    const r = ruleOf('duration', name);
    if (r && !RULES[name](s, s, {})) return r.message;
  }
  return s === 'infinite' ? -1 : durationSeconds(s);
}

/** null when s is a port range ("N" or "N-M"), else what is wrong. */
export function portRange(s: string): string | null {
  if (!fits('port_range', s)) return kinds.port_range.hint!;
  return broken('port_range', s, s, {}) ?? null;
}

/** 'ok', 'bad' (not an interface identifier) or 'zero' (the all-zero one). */
export function isIPv6Suffix(s: string): 'ok' | 'bad' | 'zero' {
  if (!fits('ipv6_suffix', s) || !RULES.suffix(s, s, {})) return 'bad';
  return RULES.nonzero(s, s, {}) ? 'ok' : 'zero';
}

function bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

function matches(pattern: string, s: string): boolean {
  try {
    return new RegExp(pattern).test(s);
  } catch {
    return true; // a pattern JavaScript cannot read: leave it to the daemon
  }
}

function limits(n: SchemaNode, v: number): string | undefined {
  if (n.minimum !== undefined && v < n.minimum) return `Must be at least ${n.minimum}`;
  if (n.maximum !== undefined && v > n.maximum) return `Must be at most ${n.maximum}`;
  if (n.exclusiveMinimum !== undefined && v <= n.exclusiveMinimum) return `Must be above ${n.exclusiveMinimum}`;
  return undefined;
}

/**
 * Checks the text of one scalar input (already trimmed as the field wants)
 * against its schema node. Empty text is the caller's business (required).
 */
export function checkScalar(n: SchemaNode, text: string, kind = kindOf(n)): Checked {
  // configuration text has lines and tabs; nothing else has control characters
  // eslint-disable-next-line no-control-regex
  if ((kind === 'text' ? /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/ : /[\x00-\x1f\x7f]/).test(text)) return { error: 'Must not contain control characters' };
  const k = kinds[kind];
  if (k?.pattern && !fits(kind, text)) return { error: k.hint };
  let value: unknown = text;
  if (k?.type === 'integer' || k?.type === 'number') {
    value = Number(text);
    if (!Number.isFinite(value) || (k.type === 'integer' && !Number.isSafeInteger(value))) return { error: k.hint };
  }
  const err = broken(kind, text, value, n) ?? (typeof value === 'number' ? limits(n, value) : undefined);
  if (err) return { error: err };
  if (typeof value === 'string') {
    const len = bytes(value);
    if (n.minLength !== undefined && len < n.minLength) return { error: `Must be at least ${n.minLength} characters` };
    if (n.maxLength !== undefined && len > n.maxLength) return { error: `Must be at most ${n.maxLength} characters` };
    if (n.pattern && kind !== 'duration' && !matches(n.pattern, value)) {
      const says = n['x-difos-pattern-says'];
      return { error: says ? `“${value}” ${says}` : 'Does not have the expected format' };
    }
  }
  return { value };
}

/* ---- uniqueness, as the daemon compares (src/schema/kinds.c's keys) ---- */

/** The text values of a kind are compared by: addresses canonical (a network's
 *  bare address is its whole length), MAC addresses and names without case. */
export function uniqueKey(kind: string, v: unknown): string {
  if (typeof v !== 'string') return JSON.stringify(v);
  const s = v.toLowerCase().replace(/-/g, kind === 'mac' ? ':' : '-');
  const [addr, len] = s.split('/');
  if (kind === 'ipv4' || kind === 'cidr4') return kind === 'cidr4' ? `${addr}/${len ?? 32}` : addr;
  if (kind === 'ipv6' || kind === 'cidr6') {
    const g = parseIPv6(addr);
    const a = g ? g.map((x) => x.toString(16)).join(':') : addr;
    return kind === 'cidr6' ? `${a}/${len ?? 128}` : a;
  }
  return s;
}

/** The first item of a unique list ("items") that is there twice, or undefined. */
function twice(n: SchemaNode, values: unknown[]): unknown {
  if (n['x-difos-unique'] !== 'items') return undefined;
  const kind = kindOf(n.items || {});
  const seen = new Set<string>();
  for (const v of values) {
    const k = uniqueKey(kind, v);
    if (seen.has(k)) return v;
    seen.add(k);
  }
  return undefined;
}

export interface Duplicate {
  field: string;
  error: string;
}

/**
 * A collection entry's values against the other entries (the schema's
 * unique members and its key of several members): the fields to mark, with
 * what the daemon would say. path is the collection's ("routes.static4");
 * an absent member counts as its default.
 */
export function duplicates(coll: SchemaNode, path: string, entry: Record<string, unknown>,
  others: Record<string, unknown>[]): Duplicate[] {
  const props = coll.items?.properties || {};
  const val = (e: Record<string, unknown>, k: string) => (e[k] !== undefined ? e[k] : props[k]?.default);
  const key = (e: Record<string, unknown>, ks: string[]) => ks.map((k) => uniqueKey(kindOf(props[k] || {}), val(e, k))).join('\n');
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const out: Duplicate[] = [];
  for (const [k, n] of Object.entries(props)) {
    if (n['x-difos-unique'] !== 'collection' || entry[k] === undefined || entry[k] === '') continue;
    const hit = others.find((o) => o[k] !== undefined && key(o, [k]) === key(entry, [k]));
    if (hit) out.push({ field: k, error: `${text(entry[k])} is already used by ${path}[${String(hit.id)}]` });
  }
  const uk = coll['x-difos-unique-key'];
  if (uk && uk.fields.length && uk.fields.every((k) => val(entry, k) !== undefined)) {
    const hit = others.find((o) => key(o, uk.fields) === key(entry, uk.fields));
    if (hit) {
      const says = uk.says ?? `${uk.fields.slice(1).map((k, i) => `${i ? ', ' : 'with '}${k} {${k}}`).join('')} is already used by`.trim();
      const words = says.replace(/\{([^}]*)\}/g, (_m, k: string) => text(val(entry, k)));
      out.push({ field: uk.fields[0], error: `${text(entry[uk.fields[0]])} ${words} ${path}[${String(hit.id)}]` });
    }
  }
  return out;
}

/** Items of a list typed as text: separated by commas and/or spaces. */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** Checks a list field's text; the value is the array of typed items. */
export function checkList(n: SchemaNode, text: string): Checked {
  const items = splitList(text);
  const item = n.items || {};
  const out: unknown[] = [];
  for (let i = 0; i < items.length; i++) {
    const r = checkScalar(item, items[i]);
    if (r.error) return { error: `${items[i]}: ${r.error.charAt(0).toLowerCase()}${r.error.slice(1)}` };
    out.push(r.value);
  }
  if (n.minItems !== undefined && out.length < n.minItems)
    return { error: n.minItems === 1 ? 'At least one entry is required' : `At least ${n.minItems} entries are required` };
  if (n.maxItems !== undefined && out.length > n.maxItems) return { error: `At most ${n.maxItems} entries` };
  const dup = twice(n, out);
  if (dup !== undefined) return { error: `${String(dup)} is listed twice` };
  return { value: out };
}
