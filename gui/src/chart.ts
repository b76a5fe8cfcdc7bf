/*
 * A small traffic chart: two series (received, sent) as SVG lines over a
 * shared scale, newest on the right. No library: a polyline each, classes
 * for the colours (the CSP forbids inline styles).
 */
const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** The points of one series in a width x height box scaled to max; the
 *  last value at the right edge, one step per sample of capacity. */
export function points(values: number[], max: number, width: number, height: number, capacity: number): string {
  const step = width / Math.max(1, capacity - 1);
  const x0 = width - step * (values.length - 1);
  return values.map((v, i) => {
    const y = height - (max > 0 ? (Math.max(0, v) / max) * (height - 2) : 0) - 1;
    return `${(x0 + i * step).toFixed(1)},${y.toFixed(1)}`;
  }).join(' ');
}

/** Bytes per second as bits per second, the way links are rated. */
export function rate(bytesPerSec: number): string {
  if (!Number.isFinite(bytesPerSec) || bytesPerSec < 0) return '—';
  const u = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let n = bytesPerSec * 8;
  let i = 0;
  while (n >= 1000 && i < u.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n < 10 && i ? n.toFixed(1) : Math.round(n)} ${u[i]}`;
}

export function chart(rx: number[], tx: number[], capacity: number, label: string, width = 300, height = 64): SVGSVGElement {
  const max = Math.max(1, ...rx, ...tx);
  const el = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': label, preserveAspectRatio: 'none' });
  el.append(svg('line', { x1: '0', y1: String(height - 0.5), x2: String(width), y2: String(height - 0.5), class: 'axis' }));
  for (const [cls, v] of [['rx', rx], ['tx', tx]] as const) {
    if (!v.length) continue;
    const pts = points(v, max, width, height, capacity);
    el.append(svg('polyline', { points: pts, class: cls, 'data-test': cls }));
    // the latest value as a dot: seen from the first sample on
    const [x, y] = pts.split(' ').pop()!.split(',');
    el.append(svg('circle', { cx: x, cy: y, r: '2', class: `${cls} now` }));
  }
  return el;
}
