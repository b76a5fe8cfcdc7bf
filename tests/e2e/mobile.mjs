/*
 * A phone (390x844, touch): the menu is behind a button, the dashboard has
 * no horizontal overflow; then, with the keyboard only (Tab, Shift+Tab,
 * Enter, Escape, typing): log in, open the menu, go to DNS & DHCP (the
 * menu opened again closes on the browser's Back), change
 * the cache size, Save, open the pill, close its dialog with Escape (focus
 * back on the pill), open it again and Apply, close the result with Escape.
 * Prints where the keyboard focus is once the apply is confirmed.
 *
 * --password PW --cache-size N (the new dns.cache_size)
 * Prints "RESULT {json}" with the applied revision.
 */
import { check, CheckError, countdownsSeen, eq, log, open, pillCount, scenario, t, until, waitApplied, waitText, watchCountdown } from './lib.mjs';

const PHONE = { width: 390, height: 844 };

/** No horizontal scrolling of the document. */
async function noOverflow(page, where) {
  const m = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, iw: window.innerWidth }));
  check(m.sw <= m.iw, `${where}: the page is ${m.sw} px wide in a ${m.iw} px window`);
}

/** What has the focus: data-test, name or class of document.activeElement. */
const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return 'body';
  return e.getAttribute('data-test') || e.getAttribute('name') || e.className || e.tagName.toLowerCase();
});

/** Presses key (Tab / Shift+Tab) until the focus is on want (bounded). */
async function tabTo(page, want, key = 'Tab', max = 60) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    const f = await focused(page);
    if (f === want) return;
    seen.push(f);
    await page.keyboard.press(key);
  }
  throw new Error(`${key} never reached ${want} in ${max} presses (went through: ${seen.join(', ')})`);
}

await scenario('mobile', async ({ page, a }) => {
  check(a.password && a['cache-size'], '--password and --cache-size are required');
  const size = a['cache-size'];

  log('log in with the keyboard');
  await open(page, a.base, '#/login');
  await t(page, 'login-form').waitFor();
  await until(async () => (await focused(page)) === 'password', 'the focus on the password field');
  await page.keyboard.type(a.password);
  await page.keyboard.press('Enter');
  await t(page, 'dashboard').waitFor();

  log('the phone layout');
  const menuBtn = page.locator('button.menu-toggle');
  check(await menuBtn.isVisible(), 'no menu button on a phone');
  eq(await menuBtn.getAttribute('aria-expanded'), 'false', 'aria-expanded of the closed menu');
  check(await page.locator('#nav').isHidden(), 'the menu is shown without pressing the button');
  check(await t(page, 'nav-dns').isHidden(), 'menu links are visible on a closed menu');
  await t(page, 'iface-br-lan').waitFor();
  await waitText(t(page, 'live'), /^Live$/, 'the live indicator');
  await noOverflow(page, 'the dashboard');
  const box = await t(page, 'dashboard').boundingBox();
  check(box && box.x >= 0 && box.x + box.width <= PHONE.width, `the dashboard box ${JSON.stringify(box)} exceeds the screen`);

  log('the menu with the keyboard');
  await tabTo(page, 'menu-toggle', 'Shift+Tab');
  await page.keyboard.press('Enter');
  eq(await menuBtn.getAttribute('aria-expanded'), 'true', 'aria-expanded after Enter on the menu button');
  await t(page, 'nav-dns').waitFor({ state: 'visible' });
  await noOverflow(page, 'the open menu');
  // Escape closes the menu and gives the focus back to its button
  await tabTo(page, 'nav-dashboard');
  await page.keyboard.press('Escape');
  await until(() => page.locator('#nav').isHidden(), 'Escape to close the menu');
  eq(await focused(page), 'menu-toggle', 'the focus after Escape in the menu');
  await page.keyboard.press('Enter');
  await t(page, 'nav-dns').waitFor({ state: 'visible' });
  await tabTo(page, 'nav-dns');
  await page.keyboard.press('Enter');
  await waitText(t(page, 'page-title'), /^DNS & DHCP$/, 'the DNS & DHCP page');
  await until(() => page.locator('#nav').isHidden(), 'the menu to close after choosing a page');

  log('Back with the menu open closes it');
  await tabTo(page, 'menu-toggle', 'Shift+Tab');
  await page.keyboard.press('Enter');
  await t(page, 'nav-dns').waitFor({ state: 'visible' });
  await page.goBack();
  await waitText(t(page, 'page-title'), /^Router$|^Dashboard/, 'the page before, after Back');
  await until(() => page.locator('#nav').isHidden(), 'the menu to close after Back');
  eq(await menuBtn.getAttribute('aria-expanded'), 'false', 'aria-expanded after Back');
  await page.goForward();
  await waitText(t(page, 'page-title'), /^DNS & DHCP$/, 'the DNS & DHCP page again');

  log('a field with the keyboard');
  await t(page, 'form-dns').waitFor();
  await noOverflow(page, 'the DNS & DHCP page');
  await tabTo(page, 'dns.cache_size');
  const old = await page.locator('[name="dns.cache_size"]').inputValue();
  check(old !== size, `the cache size is already ${size}`);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(size);
  await tabTo(page, 'save');
  await page.keyboard.press('Enter');
  await waitText(t(page, 'banner'), /^Saved\. 1 unsaved change/, 'the "Saved" banner');
  await until(async () => (await pillCount(page)) === '1', 'the pill to show 1');

  log('the pill dialog: Escape');
  await tabTo(page, 'pill', 'Shift+Tab');
  await page.keyboard.press('Enter');
  const dlg = t(page, 'changes-dialog');
  await dlg.waitFor();
  const dbox = await dlg.boundingBox();
  check(dbox && dbox.x >= 0 && dbox.x + dbox.width <= PHONE.width, `the dialog ${JSON.stringify(dbox)} does not fit the screen`);
  await dlg.locator('[data-test="change"][data-path="dns.cache_size"]').waitFor();
  check(await page.evaluate(() => !!document.activeElement?.closest('[data-test="changes-dialog"]')), 'the focus is not inside the open dialog');
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  eq(await focused(page), 'pill', 'the focus after the dialog closed');
  eq(await pillCount(page), '1', 'the pill after Escape (nothing applied or discarded)');

  log('apply with the keyboard');
  await page.keyboard.press('Enter');
  await dlg.waitFor();
  await dlg.locator('[data-test="change"]').first().waitFor();
  await tabTo(page, 'apply', 'Tab', 15);
  await watchCountdown(page);
  await page.keyboard.press('Enter');
  const m = await waitApplied(dlg);
  check((await countdownsSeen(page)).some((c) => /^Rolls back in \d+ s$/.test(c)), 'the countdown was never shown');
  // where the keyboard is now (the GUI means it to be on Close: autofocus)
  await page.waitForTimeout(200);
  const focusAfterApply = await page.evaluate(() => {
    const e = document.activeElement;
    return !e || e === document.body ? 'body' : `${e.tagName.toLowerCase()} "${e.textContent}"`;
  });
  log(`focus after the apply: ${focusAfterApply}`);
  // Escape closes the (no longer busy) dialog
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  await until(async () => (await pillCount(page)) === null, 'the pill to go away');
  await t(page, 'form-dns').waitFor();
  await until(async () => (await page.locator('[name="dns.cache_size"]').inputValue()) === size, 'the new cache size in the field');
  await noOverflow(page, 'the DNS & DHCP page after the apply');
  console.log('RESULT ' + JSON.stringify({ revision: Number(m[1]), old, focusAfterApply }));
}, { viewport: PHONE, isMobile: true, hasTouch: true });
