/*
 * PBX › Extensions and PBX › Settings:
 *  - "Create New Extension" with a password the router finds too easy to
 *    guess: its refusal is shown at the password field, nothing is staged;
 *  - with a strong one: staged (the pill counts it), applied; the row then
 *    says "Not registered" (read from the live status), recording Off;
 *    once a phone registers, "Registered:" with its address and user agent;
 *  - the extension's softphone settings: the LAN address, TLS on 6069, the
 *    number as user name, no password shown;
 *  - Edit with the password field left empty: recording switched on is
 *    staged, the password kept;
 *  - PBX › Settings: a UDP port typed that differs from the running one
 *    brings the restart warning; the running one again takes it away; the
 *    new port saved (staged) keeps it; on the Security tab the AMI password
 *    is a password field, and typing one brings its restart warning.
 *
 * --password PW --number N --weak PW --strong PW --udp-port P
 * --phone-addr A --phone-agent UA: after "READY register" the test
 *   registers a phone from A with that user agent
 * Prints "RESULT {json}" with the revision applied.
 */
import { applyAndConfirm, check, eq, field, log, login, nav, pillCount, scenario, t, until, waitText } from './lib.mjs';

await scenario('pbx', async ({ page, a }) => {
  for (const k of ['password', 'number', 'weak', 'strong', 'udp-port', 'phone-addr', 'phone-agent']) check(a[k], `--${k} is required`);
  const writes = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/config') && r.method() !== 'GET') writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  await login(page, a.base, a.password);

  log('the PBX menu: Extensions');
  await nav(page, 'pbx/extensions', 'Extensions');
  const table = t(page, 'table-extensions.list');
  const add = table.locator('[data-test="add"]');
  await waitText(add, /^Create New Extension$/, 'the create button');
  await add.click();
  const dlg = t(page, 'entry-dialog');
  await dlg.waitFor();
  await waitText(dlg.locator('h2'), /^Create New Extension$/, 'the dialog title');
  const pw = field(page, 'extensions.list.password');
  eq(await pw.getAttribute('type'), 'password', 'the password input type');
  const help = (await dlg.locator('[data-field="extensions.list.password"] .hint').textContent()) ?? '';
  check(/12-15 characters with a mix of upper\/lower case letters, numbers, and special characters/.test(help), `the password help: ${help}`);
  await field(page, 'extensions.list.name').fill('Desk');
  await field(page, 'extensions.list.number').fill(a.number);
  await pw.fill(a.weak);
  await dlg.locator('[data-test="save"]').click();
  const pwError = dlg.locator('[data-test="error-extensions.list.password"]');
  const refusal = await waitText(pwError, /too easy to guess|too simple|palindrome|dictionary/, 'the router\'s refusal at the password field');
  log(`refused: ${refusal}`);
  eq(await pillCount(page), null, 'the pill after the refused password');

  log('a strong password');
  await pw.fill(a.strong);
  await dlg.locator('[data-test="save"]').click();
  await dlg.waitFor({ state: 'detached' });
  const row = table.locator('tbody tr', { hasText: a.number });
  await row.waitFor();
  await until(async () => (await pillCount(page)) === '1', 'the pill to count the extension');

  log('apply');
  await t(page, 'pill').click();
  await t(page, 'changes-dialog').waitFor();
  const revision = await applyAndConfirm(page);
  const reg = table.locator('tbody tr', { hasText: a.number }).locator('[data-test="registration"]');
  await waitText(reg, /^Not registered$/, 'the registration state after the apply');
  const rowText = (await table.locator('tbody tr', { hasText: a.number }).textContent()) ?? '';
  check(rowText.includes('Desk') && rowText.includes('Off'), `the extension's row: ${rowText}`);
  // the page reads the status every 3 s while open
  const reads = [];
  const onReq = (r) => {
    if (new URL(r.url()).pathname === '/api/v1/status') reads.push(Date.now());
  };
  page.on('request', onReq);
  await until(() => reads.length >= 2, 'two reads of the status', 10000);
  const gap = reads[1] - reads[0];
  check(gap > 2000 && gap < 5000, `the status is read every ${gap} ms, not every 3 s`);

  log('a phone registers');
  console.log('READY register');
  await waitText(reg, new RegExp(`^Registered(, not answering)?: ${a['phone-addr'].replace(/\./g, '\\.')}:\\d+ \\(${a['phone-agent']}\\)$`),
    'the phone\'s registration, live', 20000);
  check(/\breg-(registered|unreachable)\b/.test(await reg.getAttribute('class')), `the registration cell's class: ${await reg.getAttribute('class')}`);

  log('softphone settings');
  await table.locator('tbody tr', { hasText: a.number }).locator('[data-test="softphone"]').click();
  const sp = t(page, 'softphone-dialog');
  await sp.waitFor();
  await waitText(sp.locator('[data-test="sp-port-tls"]'), /^6069$/, 'the TLS port');
  await waitText(sp.locator('[data-test="sp-server"]'), /^192\.168\.1\.1\b/, 'the server address');
  eq(await sp.locator('[data-test="sp-username"]').textContent(), a.number, 'the user name');
  eq(await sp.locator('[data-test="sp-auth-username"]').textContent(), a.number, 'the auth user name');
  const spText = (await sp.textContent()) ?? '';
  check(!spText.includes(a.strong) && !spText.includes('********'), 'the dialog shows the password');
  await page.keyboard.press('Escape');
  await sp.waitFor({ state: 'detached' });

  log('edit: recording on, the password left as it is');
  await table.locator('tbody tr', { hasText: a.number }).locator('[data-test="edit"]').click();
  const edit = t(page, 'entry-dialog');
  await edit.waitFor();
  eq(await field(page, 'extensions.list.password').inputValue(), '', 'the password field of a saved extension');
  await field(page, 'extensions.list.recording').check();
  await edit.locator('[data-test="save"]').click();
  await edit.waitFor({ state: 'detached' });
  await until(async () => (await pillCount(page)) === '1', 'the pill to count the recording switch');
  await waitText(table.locator('tbody tr', { hasText: a.number }).locator('td[data-label="Recording"]'), /^On$/, 'the recording column');

  log('PBX › Settings: the restart warning');
  await nav(page, 'pbx/settings', 'PBX Settings');
  reads.length = 0;
  const warn = t(page, 'port-warning');
  const udp = field(page, 'pbx.udp_port');
  await udp.waitFor();
  eq(await t(page, 'tab-network').getAttribute('aria-selected'), 'true', 'the Network tab first');
  const running = await udp.inputValue();
  check(await warn.isHidden(), 'the warning before any change');
  await udp.fill(String(a['udp-port']));
  await waitText(warn, /Changing the ports restarts the PBX: calls in progress end\./, 'the restart warning');
  check((await warn.textContent()).includes(`UDP ${running} → ${a['udp-port']}`), `the warning names the port: ${await warn.textContent()}`);
  await udp.fill(running);
  await until(() => warn.isHidden(), 'the warning to go with the running port again');
  await udp.fill(String(a['udp-port']));
  await warn.waitFor();
  await t(page, 'form-pbx').locator('[data-test="save"]').click();
  await until(async () => (await pillCount(page)) === '2', 'the pill to count the port');
  await field(page, 'pbx.udp_port').waitFor();
  eq(await field(page, 'pbx.udp_port').inputValue(), String(a['udp-port']), 'the staged port in the form');
  check(await warn.isVisible(), 'the warning after the port was saved (staged, not applied)');
  await t(page, 'tab-security').click();
  eq(await field(page, 'pbx.ami_password').getAttribute('type'), 'password', 'the AMI password input type');
  check(await t(page, 'manager-warning').isHidden(), 'the manager warning before any change');
  await field(page, 'pbx.ami_password').fill('Rt5#kq9!mZp2wX');
  await waitText(t(page, 'manager-warning'), /Changing the AMI port or password restarts the PBX/, 'the manager warning');
  await field(page, 'pbx.ami_password').fill('');
  await until(() => t(page, 'manager-warning').isHidden(), 'the manager warning to go');
  // leaving the Extensions page stopped its reads of the status
  await page.waitForTimeout(3500);
  eq(reads.length, 0, 'reads of the status after leaving the Extensions page');
  console.log('RESULT ' + JSON.stringify({ revision, refusal, writes }));
});
