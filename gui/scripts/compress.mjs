// Writes NAME.gz (zlib level 9) next to every file of dist/ (difosd-web
// serves the pre-compressed files), then reports what the first page load
// costs: index.html plus the scripts, styles and icons it references.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const sizes = new Map();

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (!name.endsWith('.gz')) {
      const gz = gzipSync(readFileSync(p), { level: constants.Z_BEST_COMPRESSION });
      writeFileSync(p + '.gz', gz);
      sizes.set('/' + relative(dist, p), { raw: statSync(p).size, gz: gz.length });
    }
  }
}
walk(dist);

const html = readFileSync(join(dist, 'index.html'), 'utf8');
if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) || /<style/i.test(html) || /\sstyle=/i.test(html)) {
  console.error('dist/index.html has an inline script or style: the CSP would block it');
  process.exit(1);
}
const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((u) => !u.startsWith('data:'));
let total = sizes.get('/index.html').gz;
for (const r of refs) {
  const s = sizes.get(r);
  if (!s) {
    console.error(`index.html references ${r}, which is not in dist/`);
    process.exit(1);
  }
  total += s.gz;
}
for (const [p, s] of sizes) console.log(`${p.padEnd(36)} ${String(s.raw).padStart(7)} B  gzip ${String(s.gz).padStart(6)} B`);
console.log(`first load: ${refs.length + 1} requests, ${(total / 1024).toFixed(1)} KB gzipped (budget 150 KB)`);
if (total > 150 * 1024) {
  console.error('over the 150 KB budget');
  process.exit(1);
}
