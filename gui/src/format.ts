/* Formatting of values for display. */

export function duration(secs: number): string {
  if (!Number.isFinite(secs) || secs < 0) return '—';
  const d = Math.floor(secs / 86400), hh = Math.floor((secs % 86400) / 3600), m = Math.floor((secs % 3600) / 60);
  if (d) return `${d}d ${hh}h ${m}m`;
  if (hh) return `${hh}h ${m}m`;
  if (m) return `${m}m ${Math.floor(secs % 60)}s`;
  return `${Math.floor(secs)}s`;
}

export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n < 10 && i ? n.toFixed(1) : Math.round(n)} ${u[i]}`;
}

/** A unix time (seconds) as local date and time. */
export function time(unix: number | undefined): string {
  if (!unix) return '—';
  const d = new Date(unix * 1000);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone(d)}`;
}

/** The browser's time zone at that moment, short: "UTC", "GMT+1", "CET". */
function zone(d: Date): string {
  try {
    const part = new Intl.DateTimeFormat('en', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName');
    if (part) return part.value;
  } catch {
    // no Intl time zones: the offset below
  }
  const off = -d.getTimezoneOffset(), a = Math.abs(off);
  return `UTC${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** A lease expiry: a unix time, 0 or absent for never. */
export function expires(unix: number | undefined): string {
  if (!unix) return 'never';
  const left = unix - Date.now() / 1000;
  return left > 0 ? `in ${duration(left)}` : 'expired';
}

/** The plural of a noun: "rule" -> "rules", "IP alias" -> "IP aliases". */
export function plural(noun: string): string {
  return /(s|x|z|ch|sh)$/.test(noun) ? noun + 'es' : noun + 's';
}

/** Any config value, short. */
export function value(v: unknown): string {
  if (v === undefined) return '—';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length ? v.map(value).join(', ') : '(empty)';
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${value(x)}`).join(', ');
  if (v === '') return '(empty)';
  return String(v);
}
