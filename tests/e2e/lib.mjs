/*
 * Shared pieces of the browser scenarios (run by tests/integration/test_gui.py
 * inside the lab's LAN client namespace): arguments, browser launch, a
 * bounded run with a screenshot on failure, log in / set up, waits and checks.
 *
 * A scenario is `node <script>.mjs --base https://192.168.1.1 --out DIR
 * [--key value ...]`; it exits 0 when every check held, 1 otherwise (the
 * error, the page's URL, its console and a screenshot path are printed).
 */
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM = process.env.DIFOS_CHROMIUM || '/usr/bin/chromium';
/** Default bound of every single wait (ms). */
export const WAIT = 15000;

/** --key value pairs of the command line as an object. */
export function args(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const k = a.slice(2);
    const v = argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
    out[k] = v;
  }
  return out;
}

export function log(...parts) {
  const t = new Date().toISOString().slice(11, 23);
  console.log(`[${t}]`, ...parts);
}

export class CheckError extends Error {}

export function check(cond, message) {
  if (!cond) throw new CheckError(message);
}

export function eq(actual, expected, what) {
  if (actual !== expected) throw new CheckError(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns something truthy (bounded); returns that value. */
export async function until(fn, what, timeout = WAIT, every = 200) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (e instanceof CheckError) throw e; // a definite failure, not a "not yet"
      last = e;
    }
    if (Date.now() >= end) throw new CheckError(`timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    await sleep(every);
  }
}

/** The element with data-test=name (a Playwright locator). */
export const t = (page, name) => page.locator(`[data-test="${name}"]`);

/** Waits until the locator's text matches re; returns the text. */
export async function waitText(loc, re, what, timeout = WAIT) {
  let text = '';
  await until(async () => {
    text = (await loc.textContent({ timeout: 1000 })) ?? '';
    return re.test(text);
  }, `${what} to match ${re} (last text: ${JSON.stringify(text)})`, timeout).catch((e) => {
    throw new CheckError(e.message.replace(/\(last text: [^)]*\)/, `(last text: ${JSON.stringify(text)})`));
  });
  return text;
}

/**
 * Runs one scenario: launches Chromium, opens a page, runs body({page, context,
 * browser, a}) within limitMs; on any failure prints why and saves a screenshot
 * to --out. Exits the process.
 */
export async function scenario(name, body, { limitMs = 100000, viewport = { width: 1280, height: 900 }, isMobile = false, hasTouch = false } = {}) {
  const a = args();
  check(a.base, '--base URL is required');
  const out = a.out || '.';
  mkdirSync(out, { recursive: true });
  const consoleLines = [];
  let browser, page;
  let code = 1;
  const started = Date.now();
  const fail = async (why) => {
    console.log(`FAIL ${name}: ${why}`);
    if (page) {
      try {
        console.log(`page URL: ${page.url()}`);
        const shot = join(out, `${name}-failure.png`);
        await page.screenshot({ path: shot, fullPage: true, timeout: 5000 });
        console.log(`screenshot: ${shot}`);
      } catch (e) {
        console.log(`no screenshot: ${e.message}`);
      }
    }
    if (consoleLines.length) console.log('browser console (last 30):\n  ' + consoleLines.slice(-30).join('\n  '));
  };
  let timer;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking'],
      timeout: 30000,
    });
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport, isMobile, hasTouch });
    context.setDefaultTimeout(WAIT);
    context.setDefaultNavigationTimeout(WAIT);
    page = await context.newPage();
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    const limit = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new CheckError(`scenario took longer than ${limitMs} ms`)), limitMs);
    });
    await Promise.race([body({ page, context, browser, a }), limit]);
    log(`PASS ${name} in ${Date.now() - started} ms`);
    code = 0;
  } catch (e) {
    await fail(e instanceof CheckError ? e.message : (e && e.stack) || String(e));
  } finally {
    clearTimeout(timer);
    if (browser) await browser.close().catch(() => {});
  }
  process.exit(code);
}

/**
 * Opens the GUI at base + hash and waits until the app has rendered something.
 * Chromium aborts a navigation with ERR_NETWORK_CHANGED when the namespace's
 * addresses or routes change under it (the router's DHCP hands the client a
 * lease, the WAN comes up): that navigation is tried again, a few times.
 */
export async function open(page, base, hash = '') {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(base + '/' + hash, { waitUntil: 'domcontentloaded' });
      break;
    } catch (e) {
      if (attempt >= 5 || !String(e && e.message).includes('ERR_NETWORK_CHANGED')) throw e;
      log(`navigation aborted by a network change (attempt ${attempt}); again`);
      await page.waitForTimeout(300);
    }
  }
  await page.locator('#app > *').first().waitFor();
}

/** First run: the setup link, the password twice; ends logged in on the dashboard. */
export async function setupPassword(page, base, token, password) {
  await open(page, base, `#/setup?token=${token}`);
  const form = t(page, 'setup-form');
  await form.waitFor();
  await form.locator('input[name="password"]').fill(password);
  await form.locator('input[name="password2"]').fill(password);
  await t(page, 'setup').click();
  await t(page, 'dashboard').waitFor();
  await t(page, 'logout').waitFor();
}

/** Logs in on the login page (opens it when not there). */
export async function login(page, base, password) {
  if (!/#\/login/.test(page.url())) await open(page, base, '#/login');
  const form = t(page, 'login-form');
  await form.waitFor();
  await form.locator('input[name="password"]').fill(password);
  await t(page, 'login').click();
  await t(page, 'logout').waitFor();
}

/** Goes to a page through its menu link and waits for its title. */
export async function nav(page, id, title) {
  await t(page, 'nav-' + id).click();
  await until(async () => (await t(page, 'page-title').textContent()) === title, `the "${title}" page`);
}

/** The loaded form of a settings section (e.g. "lan"). */
export async function section(page, path) {
  const form = t(page, 'form-' + path);
  await form.waitFor();
  return form;
}

export const field = (page, path) => page.locator(`[name="${path}"]`);

/** The pill's count, or null while it is hidden. */
export async function pillCount(page) {
  const p = t(page, 'pill');
  if (!(await p.isVisible())) return null;
  return (await p.textContent())?.trim() ?? '';
}

/**
 * Records in the page whether the confirm countdown ("Rolls back in N s") was
 * ever shown: a MutationObserver, so that even a short showing counts.
 */
export async function watchCountdown(page) {
  await page.evaluate(() => {
    const w = window;
    w.__countdowns = [];
    const look = () => {
      for (const el of document.querySelectorAll('[data-test="countdown"]')) {
        if (!el.hidden && el.isConnected && el.textContent) w.__countdowns.push(el.textContent);
      }
    };
    w.__countdownObserver?.disconnect();
    w.__countdownObserver = new MutationObserver(look);
    w.__countdownObserver.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

export const countdownsSeen = (page) => page.evaluate(() => window.__countdowns || []);

/**
 * In the open dialog (the changes dialog or a rollback dialog): clicks the
 * button that starts the apply, checks that the confirm countdown shows and
 * that the GUI confirms by itself ("Applied revision N."), closes the
 * dialog; returns N.
 */
/** Waits until the dialog's apply status says the revision was confirmed; returns the text's match. */
export async function waitApplied(dlg) {
  const status = dlg.locator('[data-test="apply-status"]');
  await status.waitFor();
  const text = await until(async () => {
    const st = await status.getAttribute('data-state');
    if (st === 'error') throw new CheckError(`the apply failed: ${await status.textContent()}`);
    return st === 'applied' ? status.textContent() : null;
  }, 'the GUI to confirm the applied revision', 45000, 100);
  const m = /Applied revision (\d+)\./.exec(text || '');
  check(m, `apply status text: ${JSON.stringify(text)}`);
  return m;
}

export async function applyAndConfirm(page, dialogTest = 'changes-dialog', button = 'apply') {
  const dlg = t(page, dialogTest);
  await watchCountdown(page);
  await t(page, button).click();
  const m = await waitApplied(dlg);
  const seen = await countdownsSeen(page);
  check(seen.some((c) => /^Rolls back in \d+ s$/.test(c)), `the confirm countdown was never shown (seen: ${JSON.stringify(seen)})`);
  check(await dlg.locator('[data-test="countdown"]').isHidden(), 'the countdown is still shown after the confirmation');
  await dlg.locator('.dialog-actions button', { hasText: 'Close' }).click();
  await dlg.waitFor({ state: 'detached' });
  return Number(m[1]);
}
