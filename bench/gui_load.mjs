#!/usr/bin/env node
/*
 * The GUI's cold first load: logs in through the REST API, then opens
 * URL/#/dashboard in a fresh Chromium context (empty cache, no open
 * connection) and measures, until the network is idle once the dashboard
 * shows live data:
 *   - requests: HTTP requests plus WebSockets opened by the page;
 *   - bytes: what went over the wire (CDP encodedDataLength: compressed
 *     bodies plus headers), and the compressed bodies alone (Content-Length);
 *   - time to interactive: from navigation start until the dashboard root
 *     ([data-test=dashboard]) carries data-updated, i.e. the first
 *     /dashboard answer is on screen.
 * Goal: <= 150 KB (1 KB = 1,024 bytes) and <= 10 requests. Prints PASS/FAIL; exits 0 either way
 * (reported, not asserted). Exits 1 only when the page cannot be measured.
 *
 *   node bench/gui_load.mjs --url https://192.168.1.1 --password PASS [--runs N] [--json]
 *
 * --runs N (5): N cold loads, each in a new context; the median one (by
 * time to interactive) is printed, PASS only if every run meets the goal.
 *
 * Needs playwright-core from bench/web (cd bench/web && npm ci) and a
 * Chromium (--chromium, default /usr/bin/chromium).
 */
import { createRequire } from 'node:module';

const require = createRequire(new URL('./web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const GOAL_BYTES = 150 * 1024;
const GOAL_REQUESTS = 10;

function args(argv) {
  const o = { url: 'https://192.168.1.1', password: process.env.DIFOS_PASSWORD || '', user: 'admin',
    chromium: '/usr/bin/chromium', timeout: 30000, runs: 5, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = true;
    else if (['--url', '--password', '--user', '--chromium', '--timeout', '--runs'].includes(a) && i + 1 < argv.length) o[a.slice(2)] = argv[++i];
    else {
      console.error(`usage: gui_load.mjs [--url URL] --password PASS [--user NAME] [--chromium PATH] [--timeout MS] [--runs N] [--json]`);
      process.exit(2);
    }
  }
  o.timeout = Number(o.timeout);
  o.runs = Math.max(1, Number(o.runs) || 1);
  o.url = o.url.replace(/\/+$/, '');
  if (!o.password) {
    console.error('gui_load.mjs: --password (or DIFOS_PASSWORD) is needed');
    process.exit(2);
  }
  return o;
}

const kb = (n) => (n / 1024).toFixed(1) + ' KB';

/* One cold load in a fresh context: empty cache, no connection open. */
async function coldLoad(browser, o) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    // Log in through the API: the session cookie lands in the context's jar
    // (context.request shares it) without the browser loading any page.
    const login = await context.request.post(o.url + '/api/v1/auth/login', {
      headers: { 'X-Auth-Token': 'login' },
      data: { user: o.user, password: o.password },
      timeout: o.timeout,
    });
    if (!login.ok()) throw new Error(`login: HTTP ${login.status()} ${await login.text()}`);

    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const reqs = new Map(); // requestId -> what went over the wire for it
    const sockets = [];
    let t0cdp = null; // CDP timestamp (s) of the first request
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.request.url.startsWith('data:')) return;
      if (t0cdp === null) t0cdp = e.timestamp;
      reqs.set(e.requestId, { url: e.request.url, status: 0, wire: 0, body: 0,
        start: Math.round((e.timestamp - t0cdp) * 1000), end: null });
    });
    cdp.on('Network.responseReceived', (e) => {
      const r = reqs.get(e.requestId);
      if (!r) return;
      r.status = e.response.status;
      r.protocol = e.response.protocol;
      const h = Object.fromEntries(Object.entries(e.response.headers || {}).map(([k, v]) => [k.toLowerCase(), v]));
      r.encoding = h['content-encoding'] || '';
      r.length = h['content-length'] !== undefined ? Number(h['content-length']) : null; // encoded body
      const t = e.response.timing;
      // connection set-up (only on a request that opened one), ms
      if (t && t.connectStart >= 0) r.connect = Math.round(t.connectEnd - t.connectStart);
      if (t && t.sslStart >= 0) r.tls = Math.round(t.sslEnd - t.sslStart);
      if (t) r.ttfb = Math.round(t.receiveHeadersEnd - t.sendEnd);
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = reqs.get(e.requestId);
      if (!r) return;
      r.wire = e.encodedDataLength; // headers + encoded (compressed) body
      r.body = r.length !== null && r.length !== undefined ? r.length : e.encodedDataLength;
      r.end = Math.round((e.timestamp - t0cdp) * 1000);
    });
    cdp.on('Network.loadingFailed', (e) => {
      const r = reqs.get(e.requestId);
      if (r) r.failed = e.errorText;
    });
    cdp.on('Network.webSocketCreated', (e) => sockets.push(e.url));

    await page.goto(o.url + '/#/dashboard', { waitUntil: 'commit', timeout: o.timeout });
    await page.locator('[data-test=dashboard][data-updated]').waitFor({ state: 'visible', timeout: o.timeout });
    const timing = await page.evaluate(() => {
      const el = document.querySelector('[data-test=dashboard]');
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        // data-updated is Date.now() of the first update on screen
        interactive: Number(el.dataset.updated) - performance.timeOrigin,
        domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
        title: document.querySelector('[data-test=page-title]')?.textContent || '',
        hostname: document.querySelector('[data-test=hostname]')?.textContent || '',
      };
    });
    // the rest of the first load (the pill's /changes, the status check) ends
    await page.waitForLoadState('networkidle', { timeout: o.timeout }).catch(() => {});
    await page.waitForTimeout(500);

    const list = [...reqs.values()];
    const bytes = list.reduce((s, r) => s + r.wire, 0);
    const count = list.length + sockets.length;
    return {
      requests: count,
      http_requests: list.length,
      websockets: sockets.length,
      bytes,
      body_bytes: list.reduce((s, r) => s + r.body, 0),
      interactive_ms: Math.round(timing.interactive),
      dom_content_loaded_ms: timing.domContentLoaded === null ? null : Math.round(timing.domContentLoaded),
      page_title: timing.title,
      hostname: timing.hostname,
      goal: { bytes: GOAL_BYTES, requests: GOAL_REQUESTS, pass: bytes <= GOAL_BYTES && count <= GOAL_REQUESTS },
      detail: list.map((r) => ({ url: r.url.replace(o.url, ''), status: r.status, protocol: r.protocol, encoding: r.encoding,
        wire: r.wire, body: r.body, start_ms: r.start, end_ms: r.end, server_ms: r.ttfb,
        ...(r.connect !== undefined ? { connect_ms: r.connect, tls_ms: r.tls } : {}), ...(r.failed ? { failed: r.failed } : {}) }))
        .concat(sockets.map((u) => ({ url: u.replace(/^wss?:\/\/[^/]+/, ''), websocket: true }))),
    };
  } finally {
    await context.close();
  }
}

async function main() {
  const o = args(process.argv.slice(2));
  const hardStop = setTimeout(() => {
    console.error(`gui_load.mjs: no result after ${o.timeout * (o.runs + 1)} ms`);
    process.exit(1);
  }, o.timeout * (o.runs + 1));
  hardStop.unref();

  const browser = await chromium.launch({
    executablePath: o.chromium,
    args: ['--no-sandbox', '--disable-background-networking'],
    timeout: o.timeout,
  });
  try {
    const runs = [];
    for (let i = 0; i < o.runs; i++) runs.push(await coldLoad(browser, o));
    const order = [...runs].sort((a, b) => a.interactive_ms - b.interactive_ms);
    const med = order[Math.floor(order.length / 2)];
    const result = { ...med, runs: runs.length, interactive_ms_all: runs.map((r) => r.interactive_ms),
      bytes_all: runs.map((r) => r.bytes), requests_all: runs.map((r) => r.requests) };
    result.goal.pass = runs.every((r) => r.goal.pass);
    if (o.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log(`median run of ${runs.length} (times from navigation start; server = request sent to first response byte):`);
      for (const d of med.detail)
        console.log(d.websocket ? `  ws    ${d.url}` :
          `  ${String(d.status).padEnd(5)} ${(d.protocol || '').padEnd(8)} ${String(d.wire).padStart(7)} B  ${(d.encoding || '-').padEnd(5)} ` +
          `${String(d.start_ms).padStart(4)}-${String(d.end_ms).padStart(4)} ms  (server ${d.server_ms} ms` +
          `${d.connect_ms !== undefined ? `, connect ${d.connect_ms} ms incl. TLS ${d.tls_ms} ms` : ''})  ${d.url}${d.failed ? ' FAILED ' + d.failed : ''}`);
      console.log(`  interactive per run: ${result.interactive_ms_all.join(', ')} ms`);
      console.log(`GUI cold load of /#/dashboard: ${med.requests} requests (${med.http_requests} HTTP + ${med.websockets} WebSocket), ` +
        `${kb(med.bytes)} transferred (${kb(med.body_bytes)} compressed bodies), interactive in ${med.interactive_ms} ms ` +
        `(median of ${runs.length}) — goal <= ${kb(GOAL_BYTES)} and <= ${GOAL_REQUESTS} requests: ${result.goal.pass ? 'PASS' : 'FAIL'}`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error('gui_load.mjs:', e && e.message ? e.message : e);
  process.exit(1);
});
