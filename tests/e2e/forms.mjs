/*
 * Forms that say what they do:
 *  - a traffic rule added on the untouched form is refused in the form (its
 *    zones and action are required, no request is sent); selects show words
 *    ("Any protocol"); a rule accepting from the WAN to the LAN on every port
 *    is warned about in its form and next to it in the list, and no longer
 *    once it names a port;
 *  - a port forward to the router's own address is refused by the router,
 *    the error on the LAN address field; its LAN address offers the known
 *    clients;
 *  - "Make static" on an active lease opens the static lease form filled
 *    with the client's MAC and address; Add stages it; the changes dialog
 *    names it without internal ids.
 *
 * --password PW --mac MAC --ip IP (the active lease the test made)
 * Prints "RESULT {json}" with what was staged by the page.
 */
import { check, eq, field, log, login, nav, pillCount, scenario, t, until, waitText } from './lib.mjs';

await scenario('forms', async ({ page, a }) => {
  for (const k of ['password', 'mac', 'ip']) check(a[k], `--${k} is required`);
  const writes = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/config') && r.method() !== 'GET') writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  await login(page, a.base, a.password);

  log('a traffic rule on the untouched form');
  await nav(page, 'traffic-rules', 'Traffic Rules');
  const rules = t(page, 'table-firewall.rules');
  await rules.locator('[data-test="add"]').click();
  let dlg = t(page, 'entry-dialog');
  await dlg.waitFor();
  for (const k of ['src_zone', 'dest_zone', 'action'])
    eq(await field(page, `firewall.rules.${k}`).inputValue(), '', `the ${k} of a new rule`);
  const protoWords = await field(page, 'firewall.rules.proto').locator('option').allTextContents();
  check(protoWords.includes('Any protocol') && protoWords.includes('TCP and UDP') && !protoWords.includes('tcpudp'),
    `the protocol choices: ${JSON.stringify(protoWords)}`);
  await dlg.locator('[data-test="save"]').click();
  await waitText(dlg.locator('[data-test="error-firewall.rules.action"]'), /^Required$/, 'the action is required');
  await waitText(dlg.locator('[data-test="error-firewall.rules.src_zone"]'), /^Required$/, 'the source zone is required');
  eq(writes.length, 0, 'requests sent for the empty rule');

  log('a rule that opens every port from the WAN');
  await field(page, 'firewall.rules.description').fill('wide open');
  await field(page, 'firewall.rules.src_zone').selectOption('wan');
  await field(page, 'firewall.rules.dest_zone').selectOption('lan');
  check(await dlg.locator('[data-test="rule-warning"]').count() === 0, 'a warning before the action is chosen');
  await field(page, 'firewall.rules.action').selectOption('accept');
  await waitText(dlg.locator('[data-test="rule-warning"]'), /every port from the WAN to the LAN/, 'the warning in the form');
  await field(page, 'firewall.rules.proto').selectOption('tcp');
  await field(page, 'firewall.rules.dest_ports').fill('22');
  await until(async () => (await dlg.locator('[data-test="rule-warning"]').count()) === 0, 'the warning to go once a port is named');
  await field(page, 'firewall.rules.dest_ports').fill('');
  await dlg.locator('[data-test="rule-warning"]').waitFor();
  await dlg.locator('[data-test="save"]').click();
  await dlg.waitFor({ state: 'detached' });
  const row = rules.locator('tbody tr', { hasText: 'wide open' });
  await row.waitFor();
  await waitText(row.locator('[data-test="rule-warning"]'), /every port from the WAN to the LAN/, 'the warning in the list');
  check(((await row.textContent()) ?? '').includes('TCP'), `the rule's row: ${await row.textContent()}`);
  await until(async () => (await pillCount(page)) === '1', 'the pill to count the rule');

  log('a port forward to the router itself');
  await nav(page, 'port-forwarding', 'Port Forwarding');
  const fwd = t(page, 'table-firewall.port_forwards');
  await fwd.locator('[data-test="add"]').click();
  dlg = t(page, 'entry-dialog');
  await dlg.waitFor();
  const pick = dlg.locator(`[data-test="clients-firewall.port_forwards.lan_ip"] [data-value="${a.ip}"]`);
  await pick.waitFor();
  await pick.click();
  eq(await field(page, 'firewall.port_forwards.lan_ip').inputValue(), a.ip, 'the LAN address after picking the client');
  await field(page, 'firewall.port_forwards.proto').selectOption('tcp');
  await field(page, 'firewall.port_forwards.wan_port').fill('2222');
  await field(page, 'firewall.port_forwards.lan_ip').fill('192.168.1.1');
  await dlg.locator('[data-test="save"]').click();
  await waitText(dlg.locator('[data-test="error-firewall.port_forwards.lan_ip"]'), /192\.168\.1\.1 is the router's own address/, 'the router\'s refusal on the field');
  // Escape, not Cancel: leaving the field clears its error, and the button moves up under the pointer
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  eq(await pillCount(page), '1', 'the pill after the refused forward');

  log('make an active lease static');
  await nav(page, 'dns', 'DNS & DHCP');
  await t(page, 'tab-leases').click();
  const lease = t(page, 'active-leases-card').locator('tr', { hasText: a.mac });
  await lease.waitFor();
  await lease.locator('[data-test="make-static"]').click();
  dlg = t(page, 'make-static-dialog');
  await dlg.waitFor();
  eq(await dlg.locator('[name="dhcp.static_leases.mac"]').inputValue(), a.mac, 'the MAC of the new static lease');
  eq(await dlg.locator('[name="dhcp.static_leases.ip"]').inputValue(), a.ip, 'the address of the new static lease');
  await dlg.locator('[name="dhcp.static_leases.name"]').fill('test client');
  await dlg.locator('[data-test="save"]').click();
  await dlg.waitFor({ state: 'detached' });
  await until(async () => (await pillCount(page)) === '2', 'the pill to count the static lease');

  log('the changes dialog, without ids');
  await t(page, 'pill').click();
  const changes = t(page, 'changes-dialog');
  await changes.waitFor();
  const place = changes.locator('[data-test="change"][data-path^="dhcp.static_leases["] .path');
  await waitText(place, /Static leases › “test client”/, 'the static lease in words');
  const all = (await changes.locator('[data-test="change-list"]').textContent()) ?? '';
  check(!/\[\d+\]/.test(all) && !/\bid: \d/.test(all), `ids in the change list: ${all}`);
  await changes.locator('.dialog-head button.close').click();
  await changes.waitFor({ state: 'detached' });
  console.log('RESULT ' + JSON.stringify({ writes }));
});
