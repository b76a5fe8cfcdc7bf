/*
 * Network Settings › WWAN: without a modem the page says the section is
 * only for a router with an LTE modem; a PIN of letters is refused in the
 * page (nothing sent); the control port of the modem stand-in, an APN and
 * the SIM's PIN saved and applied; then the modem card shows the modem,
 * its SIM ready, the operator and the address its uplink got.
 *
 * --password PW --port /dev/pts/N --pin DIGITS --apn APN
 * Prints "RESULT {json}" with what the card showed.
 */
import { applyAndConfirm, check, eq, field, log, login, nav, pillCount, scenario, section, t, until, waitText } from './lib.mjs';

await scenario('wwan', async ({ page, a }) => {
  check(a.password && a.port && a.pin && a.apn, '--password, --port, --pin and --apn are required');
  const writes = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/config') && r.method() !== 'GET') writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  await login(page, a.base, a.password);
  const group = page.locator('.nav-group', { has: page.locator('h2', { hasText: 'Network Settings' }) });
  await group.locator('[data-test="nav-wwan"]').waitFor();
  await nav(page, 'wwan', 'WWAN');
  await section(page, 'wwan');

  log('no modem');
  await waitText(t(page, 'wwan-no-modem'), /only applicable if your router has an LTE modem/, 'the no-modem notice');

  log('a PIN of letters');
  const pin = field(page, 'wwan.pin');
  await pin.fill('12a');
  await waitText(t(page, 'error-wwan.pin'), /SIM PIN/, 'the inline error of the PIN');
  await t(page, 'save').click();
  await waitText(t(page, 'banner'), /Some fields need attention/, 'the form banner');
  await page.waitForTimeout(400);
  eq(writes.length, 0, `requests sent for an invalid PIN (${writes.join('; ')})`);

  log('the modem stand-in, an APN and the PIN');
  await pin.fill(a.pin);
  await field(page, 'wwan.apn').fill(a.apn);
  await field(page, 'wwan.control_port').fill(a.port);
  await t(page, 'save').click();
  await waitText(t(page, 'banner'), /^Saved\./, 'the "Saved" banner');
  await until(async () => (await pillCount(page)) === '3', 'the pill to show 3');
  await t(page, 'pill').click();
  await t(page, 'changes-dialog').waitFor();
  const revision = await applyAndConfirm(page);

  log('the modem card');
  await waitText(t(page, 'wwan-connection'), /^connected$/, 'the modem to connect', 60000);
  const address = await waitText(t(page, 'wwan-address'), /^10\.64\.0\.\d+\/24$/, 'the WWAN address', 30000);
  const shown = {};
  for (const k of ['modem', 'imei', 'sim', 'operator', 'registration', 'technology', 'signal', 'apn', 'gateway'])
    shown[k] = ((await t(page, 'wwan-' + k).textContent()) ?? '').trim();
  eq(shown.modem, 'Quectel EC25', 'the modem');
  eq(shown.sim, 'ready', 'the SIM');
  eq(shown.apn, a.apn, 'the APN');
  check(await t(page, 'wwan-no-modem').count() === 0, 'the no-modem notice stays with a modem');
  // the PIN is write-only: the form never shows it back
  await page.reload({ waitUntil: 'domcontentloaded' });
  await section(page, 'wwan');
  eq(await field(page, 'wwan.pin').inputValue(), '', 'the PIN field after a reload');
  console.log('RESULT ' + JSON.stringify({ revision, address, ...shown }));
});
