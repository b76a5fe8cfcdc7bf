/*
 * Services › Intrusion Prevention: the page is in the menu under Services;
 * SSH and the Difos GUI are checked on General, saved and applied, and the
 * live line names their logs. On "Blocked & Allowed Lists": <address> banned
 * by the "Ban an address" form shows in the blocked list as a manual ban;
 * Delete takes it off; banned again, Allow puts it on the allowed list
 * (staged) and lifts the ban; applied, the allowed list shows it and the
 * blocked list does not; a ban of it by hand is then refused under the
 * address field. Last, with <other> banned too, both tabs at a phone's
 * width: nothing wider than the screen.
 *
 * The test reads the kernel's set at three points: the scenario prints
 * "READY <step>" (banned, deleted, allowed) and waits until the file
 * <signal-dir>/go-<step> exists before it goes on.
 *
 * --password PW --address ADDR --other ADDR --signal-dir DIR
 * Prints "RESULT {json}" with the revisions and what the page said.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyAndConfirm, check, eq, log, login, nav, pillCount, scenario, t, until, waitText } from './lib.mjs';

const PHONE = { width: 390, height: 844 };

await scenario('ips', async ({ page, a }) => {
  for (const k of ['password', 'address', 'other', 'signal-dir']) check(a[k], `--${k} is required`);
  const addr = a.address;
  const key = addr + '/32';

  const handOver = async (step) => {
    console.log(`READY ${step}`);
    await until(() => existsSync(join(a['signal-dir'], 'go-' + step)), `the test's look at the kernel (${step})`, 60000, 100);
  };

  await login(page, a.base, a.password);
  const group = page.locator('.nav-group', { has: page.locator('h2', { hasText: 'Services' }) });
  await group.locator('[data-test="nav-ips"]').waitFor();
  await nav(page, 'ips', 'Intrusion Prevention');

  log('General: SSH and the GUI watched');
  const form = t(page, 'form-ips');
  await form.waitFor();
  const services = form.locator('[data-test="picker-ips.services"]');
  for (const s of ['ssh', 'gui']) {
    const box = services.locator(`[data-test="pick-${s}"]`);
    check(!(await box.isChecked()), `${s} is already checked`);
    await box.check();
  }
  eq(await form.locator('[name="ips.services"]').inputValue(), 'ssh, gui', 'the services field');
  await form.locator('[data-test="save"]').click();
  await waitText(form.locator('[data-test="banner"]'), /^Saved\. 1 unsaved change/, 'the "Saved" banner');
  await until(async () => (await pillCount(page)) === '1', 'the pill to count the services');
  await t(page, 'pill').click();
  await t(page, 'changes-dialog').waitFor();
  const rev1 = await applyAndConfirm(page);
  const live = await waitText(t(page, 'ips-live'), /^Reading SSH: .*; Difos GUI: .*banned now\./, 'the live line naming the logs', 20000);

  log('a ban by hand');
  await t(page, 'tab-lists').click();
  const card = t(page, 'ips-blocked-card');
  await card.waitFor();
  const row = card.locator(`[data-test="ips-ban"][data-key="${key}"]`);
  const ban = async () => {
    await t(page, 'ips-ban-address').fill(addr);
    await t(page, 'ips-ban-minutes').fill('30');
    await t(page, 'ips-ban-submit').click();
    await waitText(t(page, 'ips-banner'), new RegExp(`^${key.replace(/\./g, '\\.')} is banned until `), 'the ban\'s message');
    await row.waitFor();
  };
  await ban();
  eq(await row.getAttribute('data-service'), 'manual', 'the ban\'s service');
  eq(await row.locator('[data-test="ips-service"]').textContent(), 'Manual', 'the service shown');
  eq(await row.locator('[data-test="ips-reason"]').textContent(), 'banned by hand', 'the reason shown');
  const left = await row.locator('[data-test="ips-left"]').textContent();
  check(/^(29m|30m 0s)/.test(left ?? ''), `the time left of a 30 minute ban: ${left}`);
  const count = await waitText(t(page, 'ips-count'), /^1 banned$/, 'the count');
  await handOver('banned');

  log('Delete');
  await row.locator('[data-test="ips-delete"]').click();
  await waitText(t(page, 'ips-banner'), /is lifted; it may be banned again\.$/, 'the Delete message');
  await row.waitFor({ state: 'detached' });
  await waitText(t(page, 'ips-count'), /^0 banned$/, 'the count after Delete');
  eq(await pillCount(page), null, 'the pill after Delete (nothing staged)');
  await handOver('deleted');

  log('banned again, then Allow');
  await ban();
  await row.locator('[data-test="ips-allow"]').click();
  const allowedMsg = await waitText(t(page, 'ips-banner'), /is allowed once you apply; its ban is lifted now\./, 'the Allow message');
  check(allowedMsg.startsWith(`${addr} is allowed once you apply`), `the Allow message: ${allowedMsg}`);
  await row.waitFor({ state: 'detached' });
  const allowed = t(page, 'table-ips.allowed');
  await allowed.locator('tbody tr', { hasText: addr }).waitFor();
  await until(async () => (await pillCount(page)) === '1', 'the pill to count the allowed address');
  await handOver('allowed');
  await t(page, 'pill').click();
  await t(page, 'changes-dialog').waitFor();
  const rev2 = await applyAndConfirm(page);

  log('after the apply');
  await t(page, 'ips-blocked-card').waitFor();
  await t(page, 'table-ips.allowed').locator('tbody tr', { hasText: addr }).waitFor();
  await waitText(t(page, 'ips-count'), /^0 banned$/, 'the count after the apply');
  check(await t(page, 'ips-blocked-card').locator(`[data-key="${key}"]`).count() === 0, 'the address is still on the blocked list');
  await t(page, 'ips-ban-address').fill(addr);
  await t(page, 'ips-ban-minutes').fill('');
  await t(page, 'ips-ban-submit').click();
  const refusal = await waitText(t(page, 'error-ips-ban-address'), /never banned/, 'the refusal of an allowed address');

  log('a phone');
  await t(page, 'ips-ban-address').fill(a.other);
  await t(page, 'ips-ban-submit').click();
  await t(page, 'ips-blocked-card').locator(`[data-key="${a.other}/32"]`).waitFor();
  await page.setViewportSize(PHONE);
  const noOverflow = async (where) => {
    const m = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, iw: window.innerWidth }));
    check(m.sw <= m.iw, `${where}: the page is ${m.sw} px wide in a ${m.iw} px window`);
  };
  await noOverflow('the lists at a phone\'s width');
  await t(page, 'tab-general').click();
  await t(page, 'form-ips').waitFor();
  await noOverflow('General at a phone\'s width');
  console.log('RESULT ' + JSON.stringify({ rev1, rev2, live, count, left, allowedMsg, refusal }));
});
