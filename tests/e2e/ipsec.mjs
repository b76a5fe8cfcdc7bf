/*
 * VPN › IPsec: a proposal with an unknown algorithm is refused in the
 * form with the daemon's words (nothing staged); a peer added through the
 * table's form and applied; its live state turns "Up" once the strongSwan
 * peer of the test answers; the four quick commands show their answers
 * (the status with the CHILD SA, the interfaces with ipsec0, the routes
 * with table 220, the restart), and the tunnel is up again after it.
 *
 * --password PW --gateway ADDR --psk KEY
 * Prints "RESULT {json}" with what the page showed.
 */
import { applyAndConfirm, check, field, log, login, nav, pillCount, scenario, t, until, waitText } from './lib.mjs';

await scenario('ipsec', async ({ page, a }) => {
  check(a.password && a.gateway && a.psk, '--password, --gateway and --psk are required');
  await login(page, a.base, a.password);
  const group = page.locator('.nav-group', { has: page.locator('h2', { hasText: 'VPN' }) });
  await group.locator('[data-test="nav-ipsec"]').waitFor();
  await nav(page, 'ipsec', 'IPsec');

  const card = t(page, 'table-ipsec.peers');
  const fillPeer = async (esp) => {
    await card.locator('[data-test="add"]').click();
    const dlg = t(page, 'entry-dialog');
    await dlg.waitFor();
    await field(page, 'ipsec.peers.name').fill('branch');
    await field(page, 'ipsec.peers.local_id').fill('@router');
    await field(page, 'ipsec.peers.peer_id').fill('@peer');
    await field(page, 'ipsec.peers.remote_gateway').fill(a.gateway);
    await field(page, 'ipsec.peers.local_networks').fill('192.168.1.0/24');
    await field(page, 'ipsec.peers.remote_networks').fill('10.2.0.0/24');
    await field(page, 'ipsec.peers.esp_proposals').fill(esp);
    await field(page, 'ipsec.peers.psk').fill(a.psk);
    await dlg.locator('[data-test="save"]').click();
    return dlg;
  };

  log('an ESP algorithm strongSwan does not know');
  let dlg = await fillPeer('aes256-sha256-bogus9');
  const refused = await waitText(dlg, /bogus9/, 'the refusal naming the algorithm');
  check(/esp_proposals|ESP algorithms/.test(refused), `the refusal names the field: ${refused}`);
  eq0(await pillCount(page));
  await dlg.locator('button', { hasText: 'Cancel' }).click();
  await dlg.waitFor({ state: 'detached' });

  log('a peer added and applied');
  dlg = await fillPeer('aes256-sha256-modp2048');
  await dlg.waitFor({ state: 'detached' });
  await card.locator('tbody tr', { hasText: 'branch' }).waitFor();
  await until(async () => (await pillCount(page)) === '1', 'the pill to count the peer');
  await t(page, 'pill').click();
  await t(page, 'changes-dialog').waitFor();
  const revision = await applyAndConfirm(page);
  const state = await waitText(t(page, 'ipsec-state-branch'), /^Up$/, 'the tunnel to come up', 30000);

  log('the quick commands');
  const out = t(page, 'ipsec-output');
  await t(page, 'ipsec-status').click();
  const status = await waitText(out, /CHILD branch INSTALLED/, 'the status output');
  await t(page, 'ipsec-interfaces').click();
  const ifaces = await waitText(out, /ipsec0/, 'the interfaces output');
  await t(page, 'ipsec-routes').click();
  const routes = await waitText(out, /10\.2\.0\.0\/24 dev ipsec0 table 220/, 'the routes output');
  await t(page, 'ipsec-restart').click();
  await waitText(out, /IPsec restarted/, 'the restart output');
  await waitText(t(page, 'ipsec-state-branch'), /^Up$/, 'the tunnel up again after the restart', 30000);
  console.log('RESULT ' + JSON.stringify({ revision, state, status, ifaces: ifaces.includes('192.168.1.1/24'), routes: routes.includes('table 220') }));
});

function eq0(count) {
  check(count === null, `the pill counts ${count} after a refused peer: something was staged`);
}
