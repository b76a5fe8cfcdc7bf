/*
 * Network Settings › Uplinks, then WAN by PPPoE, as a person sets them up.
 * Uplinks: the WAN checked every second against the lab's upstream (one
 * ICMP target added in the targets' dialog), applied; the health card says
 * the WAN is up. WAN: the PPPoE fields are hidden while the protocol is
 * DHCP and shown for PPPoE; a username with a double quote is refused by
 * the router on its field; a good one is applied, and the page says why
 * the session cannot come up here (no PPP in this kernel).
 *
 * --password PW --target ADDRESS
 */
import { applyAndConfirm, check, eq, field, log, login, nav, pillCount, scenario, section, t, until, waitText } from './lib.mjs';

const PPPOE_FIELDS = ['username', 'password', 'service', 'ac_name', 'mtu', 'lcp_echo_interval', 'holdoff'];

async function applyPill(page) {
  await until(async () => /^\d+$/.test((await pillCount(page)) ?? ''), 'the pill to count the changes');
  await t(page, 'pill').click();
  return applyAndConfirm(page);
}

await scenario('pppoe', async ({ page, a }) => {
  check(a.password && a.target, '--password and --target are required');
  await login(page, a.base, a.password);

  log('Uplinks: the WAN checked every second');
  await nav(page, 'uplinks', 'Uplinks');
  await section(page, 'uplinks');
  await field(page, 'uplinks.wan.enabled').check();
  await field(page, 'uplinks.wan.interval').fill('1');
  await field(page, 'uplinks.wan.timeout').fill('500');
  await t(page, 'save').first().click();
  await waitText(t(page, 'banner').first(), /^Saved/, 'the uplinks form saved');
  await t(page, 'add').click();
  const dlg = t(page, 'entry-dialog');
  await dlg.waitFor();
  await dlg.locator('[name="uplinks.targets.kind"]').selectOption('icmp');
  check(await dlg.locator('[name="uplinks.targets.name"]').isHidden(), 'the name asked shows for an icmp target');
  await dlg.locator('[name="uplinks.targets.address"]').fill(a.target);
  await dlg.locator('[data-test=save]').click();
  await dlg.waitFor({ state: 'detached' });
  const rev1 = await applyPill(page);
  log(`applied revision ${rev1}`);
  let health = '';
  await until(async () => {
    await page.reload({ waitUntil: 'domcontentloaded' });
    const h = t(page, 'health-WAN');
    await h.waitFor();
    health = (await h.textContent()) ?? '';
    return /^up on wan0: loss 0 %/.test(health);
  }, 'the WAN health to be up', 20000, 1000);
  log(`health: ${health}`);

  log('WAN: PPPoE fields only for PPPoE');
  await nav(page, 'wan', 'WAN');
  await section(page, 'wan');
  eq(await field(page, 'wan.ipv4.proto').inputValue(), 'dhcp', 'the protocol at first');
  for (const f of PPPOE_FIELDS)
    check(await field(page, `wan.ipv4.${f}`).isHidden(), `wan.ipv4.${f} shows while the protocol is DHCP`);
  await field(page, 'wan.ipv4.proto').selectOption('pppoe');
  for (const f of PPPOE_FIELDS)
    check(await field(page, `wan.ipv4.${f}`).isVisible(), `wan.ipv4.${f} is hidden for PPPoE`);
  check(await field(page, 'wan.ipv4.address').isHidden(), 'the static address shows for PPPoE');
  eq(await field(page, 'wan.ipv4.password').getAttribute('type'), 'password', 'the password field type');

  log('a username pppd cannot carry');
  await field(page, 'wan.ipv4.username').fill('al"ice');
  await field(page, 'wan.ipv4.password').fill('correct horse');
  await field(page, 'wan.ipv4.service').fill('internet');
  await t(page, 'save').click();
  const err = await waitText(t(page, 'error-wan.ipv4.username'), /double quote/, "the router's error on the username");
  log(`refused: ${err}`);
  eq(await pillCount(page), null, 'the pill after the refusal');

  await field(page, 'wan.ipv4.username').fill('alice@isp.example');
  await t(page, 'save').click();
  await waitText(t(page, 'banner'), /^Saved/, 'the WAN form saved');
  const rev2 = await applyPill(page);
  log(`applied revision ${rev2}`);
  let why = '';
  await until(async () => {
    await page.reload({ waitUntil: 'domcontentloaded' });
    const e = t(page, 'pppoe-error');
    if (!(await e.count())) return false;
    why = (await e.textContent()) ?? '';
    return why === 'no PPP support in this kernel';
  }, 'the WAN page to say why the session is not up', 20000, 1000);
  const state = (await t(page, 'pppoe-state').textContent()) ?? '';
  check(/^connecting on ppp-wan over wan0$/.test(state), `the session's line: ${state}`);
  // the password is never read back: the field says it is kept
  eq(await field(page, 'wan.ipv4.password').inputValue(), '', 'the password read back');
  eq(await field(page, 'wan.ipv4.password').getAttribute('placeholder'), 'unchanged', 'the password placeholder');
  // what a person sees: kept beside the scenario's output
  await page.screenshot({ path: `${a.out || '.'}/wan-pppoe.png`, fullPage: true, timeout: 5000 });
  console.log('RESULT ' + JSON.stringify({ health, refused: err, state, why }));
});
