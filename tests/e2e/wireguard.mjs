/*
 * VPN › WireGuard › Server: Auto Fill fills the port and the ranges, the
 * server enabled and applied; a peer added with Generate Client IPs; its
 * configuration made with Allow All: the text, the .conf download and the
 * QR code, which this scenario saves as a picture for the test to decode
 * (zbarimg) and compare with the text.
 *
 * Then the Clients tab: Import Config refuses a broken file naming its
 * line, fills the client's form from a good one (with the note of an
 * AllowedIPs entry taken as its network), and the client is staged once
 * named.
 *
 * --password PW --peer NAME --import FILE --bad-import FILE --client NAME
 * Prints "RESULT {json}": the port, range, peer address, the text, the
 * download's file name, the QR picture's path, and what the import form held.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyAndConfirm, check, eq, field, log, login, nav, pillCount, scenario, section, t, until, waitText } from './lib.mjs';

await scenario('wireguard', async ({ page, a }) => {
  check(a.password && a.peer && a.out && a.import && a['bad-import'] && a.client,
    '--password, --peer, --out, --import, --bad-import and --client are required');
  await login(page, a.base, a.password);
  const group = page.locator('.nav-group', { has: page.locator('h2', { hasText: 'VPN' }) });
  await group.locator('[data-test="nav-wireguard"]').waitFor();
  await nav(page, 'wireguard', 'WireGuard');
  await section(page, 'wg_server');

  log('Auto Fill');
  await t(page, 'wg-autofill').click();
  const port = field(page, 'wg_server.listen_port');
  await until(async () => /^\d+$/.test(await port.inputValue()) && (await port.inputValue()) !== '51820', 'a random port');
  const range = await field(page, 'wg_server.address').inputValue();
  check(/^10\.\d+\.\d+\.1\/24$/.test(range), `the range Auto Fill gave: ${range}`);
  check(/^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::1\/64$/.test(await field(page, 'wg_server.address6').inputValue()), 'an IPv6 range');
  eq(await page.locator('[name="wg_server.private_key"]').count(), 0, 'private key fields in the form');
  await field(page, 'wg_server.enabled').check();
  await t(page, 'form-wg_server').locator('[data-test="save"]').click();
  await waitText(t(page, 'form-wg_server').locator('[data-test="banner"]'), /Saved\./, 'the "Saved" banner');

  log('a peer with Generate Client IPs');
  const peers = t(page, 'table-wg_server.peers');
  await peers.locator('[data-test="add"]').click();
  const form = t(page, 'entry-form');
  await form.waitFor();
  await form.locator('[name="wg_server.peers.name"]').fill(a.peer);
  await form.locator('[data-test="wg-generate-ips"]').click();
  const addr = form.locator('[name="wg_server.peers.address"]');
  const want = range.replace(/\.1\/24$/, '.2');
  await until(async () => (await addr.inputValue()) === want, `the address ${want}`);
  eq(await form.locator('[name="wg_server.peers.private_key"]').count(), 0, 'private key fields in the peer form');
  await form.locator('[data-test="save"]').click();
  await form.waitFor({ state: 'detached' });
  await until(async () => Number(await pillCount(page)) >= 1, 'the pill');
  await t(page, 'pill').click();
  await t(page, 'changes-dialog').waitFor();
  const revision = await applyAndConfirm(page);

  log('the server runs; the peer in the live table');
  await until(async () => (await t(page, 'wg-server-state').getAttribute('data-state')) === 'up', 'the server up', 20000);
  const pub = ((await t(page, 'wg-public-key').textContent()) || '').trim();
  check(/^[A-Za-z0-9+/]{43}=$/.test(pub), `the public key shown: ${pub}`);
  await page.locator(`[data-test="wg-peer-live"][data-name="${a.peer}"]`).waitFor();

  log('the configuration: text, file and QR code');
  await peers.locator('[data-test="wg-peer-config"]').first().click();
  const dlg = t(page, 'wg-config-dialog');
  await dlg.waitFor();
  check(await dlg.locator('[data-test="wg-allow-all"]').isChecked(), 'Allow All checked by default');
  await dlg.locator('[data-test="wg-generate"]').click();
  const pre = dlg.locator('[data-test="wg-config-text"]');
  await pre.waitFor();
  const text = (await pre.textContent()) || '';
  check(text.includes('AllowedIPs = 0.0.0.0/0, ::/0'), `Allow All in the text: ${text}`);
  check(text.includes(`PublicKey = ${pub}`), 'the server\'s public key in the text');
  check(text.includes(`Address = ${want}/32`), 'the peer\'s address in the text');
  const download = await Promise.all([page.waitForEvent('download'), dlg.locator('[data-test="wg-download"]').click()]).then(([d]) => d);
  const file = download.suggestedFilename();
  const saved = join(a.out, 'peer-download.conf');
  await download.saveAs(saved);
  const qr = dlg.locator('[data-test="wg-qr"]');
  await qr.waitFor();
  await until(async () => qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR picture drawn');
  const shot = join(a.out, 'peer-qr.png');
  writeFileSync(shot, await qr.screenshot());
  await dlg.locator('button[aria-label="Close"]').first().click();
  await dlg.waitFor({ state: 'detached' });

  log('Clients: Import Config');
  await t(page, 'tab-clients').click();
  await t(page, 'wg-import-open').click();
  const imp = t(page, 'wg-import-dialog');
  await imp.waitFor();
  await imp.locator('[data-test="wg-import-text"]').fill(readFileSync(a['bad-import'], 'utf8'));
  await imp.locator('[data-test="wg-import"]').click();
  const refusal = await waitText(imp.locator('[data-test="dialog-banner"]'), /line \d+/, 'the refusal naming the line');
  await imp.locator('[data-test="wg-import-text"]').fill(readFileSync(a.import, 'utf8'));
  await imp.locator('[data-test="wg-import"]').click();
  const entry = imp.locator('[data-test="entry-form"]');
  await entry.waitFor();
  const filled = {};
  for (const k of ['endpoint', 'addresses', 'allowed_ips', 'dns', 'mtu', 'keepalive', 'public_key'])
    filled[k] = await entry.locator(`[name="wg_clients.clients.${k}"]`).inputValue();
  const notes = await imp.locator('[data-test="wg-import-note"]').allTextContents();
  eq(await entry.locator('[name="wg_clients.clients.name"]').inputValue(), '', 'the name left to fill');
  await entry.locator('[name="wg_clients.clients.name"]').fill(a.client);
  for (const box of ['allow_wan', 'allow_lan', 'masquerade']) await entry.locator(`[name="wg_clients.clients.${box}"]`).check();
  const before = Number(await pillCount(page)) || 0;
  await entry.locator('[data-test="save"]').click();
  await imp.waitFor({ state: 'detached' });
  await until(async () => Number(await pillCount(page)) > before, 'the pill to count the client');
  await page.locator(`[data-test="table-wg_clients.clients"] tr`, { hasText: a.client }).waitFor();
  console.log('RESULT ' + JSON.stringify({ revision, port: await port.inputValue().catch(() => ''), range, address: want, text, file, saved, qr: shot, public_key: pub, refusal, filled, notes }));
});
