/*
 * Client-side checks by x-difos-kind, mirroring the daemon's parsers
 * (src/schema/types.c): they give early feedback; the daemon decides.
 * check(node, text) turns the text of an input into the typed value or an
 * error sentence.
 */
import { kindOf, type SchemaNode } from './schema';

export interface Checked {
  value?: unknown;
  error?: string;
}

const DEC = /^(0|[1-9][0-9]*)$/;

function dec(s: string, max: number): number | null {
  if (!DEC.test(s) || s.length > 10) return null;
  const n = Number(s);
  return n <= max ? n : null;
}

export function isIPv4(s: string): boolean {
  const p = s.split('.');
  return p.length === 4 && p.every((x) => x.length <= 3 && dec(x, 255) !== null);
}

/** The eight 16-bit groups of an IPv6 address, or null (inet_pton rules). */
export function parseIPv6(s: string): number[] | null {
  if (!s || s.length > 45) return null;
  let str = s;
  let tail: number[] = [];
  const m = /^(.*:)([0-9.]+)$/.exec(s);
  if (m && m[2].includes('.')) {
    if (!isIPv4(m[2])) return null;
    const b = m[2].split('.').map(Number);
    tail = [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
    str = m[1].endsWith('::') ? m[1] : m[1].slice(0, -1);
  }
  const hex = /^[0-9A-Fa-f]{1,4}$/;
  const groups = (x: string) => (x ? x.split(':') : []);
  const dbl = str.indexOf('::');
  let out: number[];
  if (dbl >= 0) {
    if (str.indexOf('::', dbl + 1) >= 0) return null;
    const l = groups(str.slice(0, dbl));
    const r = groups(str.slice(dbl + 2));
    if (![...l, ...r].every((g) => hex.test(g))) return null;
    const fill = 8 - tail.length - l.length - r.length;
    if (fill < 1) return null;
    out = [...l.map((g) => parseInt(g, 16)), ...Array<number>(fill).fill(0), ...r.map((g) => parseInt(g, 16))];
  } else {
    const g = groups(str);
    if (g.length + tail.length !== 8 || !g.every((x) => hex.test(x))) return null;
    out = g.map((x) => parseInt(x, 16));
  }
  return [...out, ...tail];
}

export const isIPv6 = (s: string) => parseIPv6(s) !== null;

function cidr(s: string, addr: (a: string) => boolean, max: number): 'ok' | 'addr' | 'len' {
  const i = s.indexOf('/');
  if (i < 0) return addr(s) ? 'ok' : 'addr';
  if (!addr(s.slice(0, i))) return 'addr';
  return dec(s.slice(i + 1), max) === null ? 'len' : 'ok';
}

export const isCidr4 = (s: string) => cidr(s, isIPv4, 32) === 'ok';
export const isCidr6 = (s: string) => cidr(s, isIPv6, 128) === 'ok';

export function isMac(s: string): boolean {
  return /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/.test(s);
}

export function isLabel(s: string): boolean {
  return /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(s);
}

export function isFqdn(s: string): boolean {
  return s.length >= 1 && s.length <= 253 && s.split('.').every(isLabel);
}

export function isDuid(s: string): boolean {
  const n = (s.length + 1) / 3;
  return Number.isInteger(n) && n >= 2 && n <= 130 && /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/.test(s);
}

export function isIfname(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return s.length >= 1 && s.length <= 15 && s !== '.' && s !== '..' && !/[/:\s\x00-\x1f\x7f]/.test(s);
}

export function isIPv6Suffix(s: string): 'ok' | 'bad' | 'zero' {
  const g = parseIPv6(s);
  if (!g || g.slice(0, 4).some((x) => x !== 0)) return 'bad';
  return g.every((x) => x === 0) ? 'zero' : 'ok';
}

const DURATION_MAX = 10 * 365 * 86400;
const UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Seconds of a duration ("90", "30m", "12h"), -1 for "infinite", or an error sentence. */
export function parseDuration(s: string): number | string {
  if (s === 'infinite') return -1;
  const m = /^([0-9]+)([smhdw]?)$/.exec(s);
  if (!m) return 'Not a valid duration (e.g. 90s, 30m, 12h, 7d, 2w)';
  const v = Number(m[1]) * UNIT[m[2]];
  if (v === 0) return 'Must be a positive duration';
  if (v > DURATION_MAX) return 'Must be at most 10 years';
  return v;
}

export function portRange(s: string): string | null {
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(s);
  const lo = m ? dec(m[1], 65535) : null;
  const hi = m ? (m[2] === undefined ? lo : dec(m[2], 65535)) : null;
  if (!lo || !hi) return 'Not a valid port range (N or N-M, 1-65535)';
  if (lo > hi) return 'The start of the range is above its end';
  return null;
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

function limits(n: SchemaNode, v: number, unit = ''): string | undefined {
  if (n.minimum !== undefined && v < n.minimum) return `Must be at least ${n.minimum}${unit}`;
  if (n.maximum !== undefined && v > n.maximum) return `Must be at most ${n.maximum}${unit}`;
  if (n.exclusiveMinimum !== undefined && v <= n.exclusiveMinimum) return `Must be above ${n.exclusiveMinimum}${unit}`;
  return undefined;
}

const HINT: Record<string, string> = {
  ipv4: 'Not a valid IPv4 address (e.g. 192.168.1.1)',
  ipv6: 'Not a valid IPv6 address (e.g. 2001:db8::1)',
  mac: 'Not a valid MAC address (aa:bb:cc:dd:ee:ff)',
  hostname: "Not a valid host name (1-63 letters, digits or '-', not at either end)",
  fqdn: 'Not a valid domain name (e.g. example.com)',
  duid: "Not a valid DUID (2-130 hex octets separated by ':')",
  ifname: "Not a valid interface name (1-15 characters, no '/', ':' or spaces)",
};

/**
 * Checks the text of one scalar input (already trimmed as the field wants)
 * against its schema node. Empty text is the caller's business (required).
 */
export function checkScalar(n: SchemaNode, text: string, kind = kindOf(n)): Checked {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(text)) return { error: 'Must not contain control characters' };
  let err: string | null | undefined;
  let value: unknown = text;
  switch (kind) {
    case 'int':
    case 'port':
    case 'ref': {
      if (!/^-?[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) return { error: 'Must be a whole number' };
      value = Number(text);
      if (kind === 'port') {
        const lo = Math.max(1, n.minimum ?? 1), hi = Math.min(65535, n.maximum ?? 65535);
        if ((value as number) < lo || (value as number) > hi) return { error: `Must be a port between ${lo} and ${hi}` };
      }
      if (kind === 'ref' && (value as number) < 1) return { error: 'Must be a positive number' };
      err = limits(n, value as number);
      break;
    }
    case 'rate': {
      if (!/^[0-9]+(\.[0-9]+)?$/.test(text)) return { error: 'Must be a number (Mbps)' };
      value = Number(text);
      if (!((value as number) > 0)) return { error: 'Must be a positive rate' };
      err = limits(n, value as number);
      break;
    }
    case 'enum':
      if (n.enum && !n.enum.includes(text)) err = `Must be one of: ${n.enum.join(', ')}`;
      break;
    case 'ipv4':
      if (!isIPv4(text)) err = HINT.ipv4;
      break;
    case 'ipv6':
      if (!isIPv6(text)) err = HINT.ipv6;
      break;
    case 'cidr4': {
      const r = cidr(text, isIPv4, 32);
      if (r === 'len') err = 'Invalid prefix length (0-32)';
      else if (r === 'addr') err = 'Not a valid IPv4 network (a.b.c.d/len)';
      break;
    }
    case 'cidr6': {
      const r = cidr(text, isIPv6, 128);
      if (r === 'len') err = 'Invalid prefix length (0-128)';
      else if (r === 'addr') err = 'Not a valid IPv6 network (x::y/len)';
      break;
    }
    case 'mac':
      if (!isMac(text)) err = HINT.mac;
      else if (/^(00[:-]){5}00$/.test(text)) err = 'The all-zero MAC address is not allowed';
      break;
    case 'hostname':
      if (!isLabel(text)) err = HINT.hostname;
      break;
    case 'fqdn':
      if (!isFqdn(text)) err = HINT.fqdn;
      break;
    case 'port_range':
      err = portRange(text);
      break;
    case 'duration': {
      const d = parseDuration(text);
      if (typeof d === 'string') err = d;
      else if (d < 0 && !(n.pattern ? matches(n.pattern, 'infinite') : n.default === 'infinite')) err = 'Must be a finite duration';
      break;
    }
    case 'duid':
      if (!isDuid(text)) err = HINT.duid;
      break;
    case 'ipv6_suffix': {
      const r = isIPv6Suffix(text);
      if (r === 'bad') err = 'Not a valid IPv6 interface identifier (e.g. ::42)';
      else if (r === 'zero') err = 'The all-zero interface identifier is not allowed';
      break;
    }
    case 'ifname':
      if (!isIfname(text)) err = HINT.ifname;
      break;
    default:
      break;
  }
  if (err) return { error: err };
  if (typeof value === 'string') {
    const len = bytes(value);
    if (n.minLength !== undefined && len < n.minLength) return { error: `Must be at least ${n.minLength} characters` };
    if (n.maxLength !== undefined && len > n.maxLength) return { error: `Must be at most ${n.maxLength} characters` };
    if (n.pattern && kind !== 'duration' && !matches(n.pattern, value)) return { error: 'Does not have the expected format' };
  }
  return { value };
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
  return { value: out };
}
