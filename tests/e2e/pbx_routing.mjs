/*
 * PBX › Trunks, Call Routing and Block List:
 *  - "Create New Trunk": the username and password appear with Gateway
 *    authentication; the default action is picked among the extensions;
 *    staged, the row names the extension;
 *  - an outbound route with a pattern Asterisk would misread: the router's
 *    refusal at the pattern field, nothing staged; a valid one staged, its
 *    trunk picked by name;
 *  - the route preview before the apply: the outbound route, the trunk's
 *    dial-out prefix, a call in on the trunk to its default action, each
 *    read from the staged configuration;
 *  - a block list with two numbers; the page states the substring rule;
 *  - all applied; the preview then reads the configuration in force; the
 *    trunk's registration turns Registered, live.
 *
 * --password PW --ext N (an extension that exists) --ext-name NAME
 * --host H --port P --user U --secret S (the provider's registrar)
 * --bad-pattern P --block A,B (the numbers are typed separated by a space)
 * Prints "RESULT {json}" with the revision applied and what the GUI said.
 */
import { applyAndConfirm, check, eq, field, log, login, nav, pillCount, scenario, t, until, waitText } from './lib.mjs';

await scenario('pbx_routing', async ({ page, a }) => {
  for (const k of ['password', 'ext', 'ext-name', 'host', 'port', 'user', 'secret', 'bad-pattern', 'block']) check(a[k], `--${k} is required`);
  const writes = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/config') && r.method() !== 'GET') writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  await login(page, a.base, a.password);
  const out = {};

  log('PBX › Trunks: Create New Trunk');
  await nav(page, 'pbx/trunks', 'Trunks');
  const trunks = t(page, 'table-trunks.list');
  const add = trunks.locator('[data-test="add"]');
  await waitText(add, /^Create New Trunk$/, 'the create button');
  await add.click();
  const dlg = t(page, 'entry-dialog');
  await dlg.waitFor();
  const user = field(page, 'trunks.list.username');
  const pw = field(page, 'trunks.list.password');
  check(await user.isHidden() && await pw.isHidden(), 'the username and password before Gateway authentication');
  await field(page, 'trunks.list.name').fill('office');
  await field(page, 'trunks.list.host').fill(a.host);
  await field(page, 'trunks.list.port').fill(String(a.port));
  await field(page, 'trunks.list.dialout_prefix').fill('8');
  const dest = field(page, 'trunks.list.default_destination');
  eq(await dest.evaluate((el) => el.tagName), 'SELECT', 'the default action control');
  const choices = await dest.locator('option').allTextContents();
  check(choices.includes(`${a.ext} — ${a['ext-name']}`), `the default action's choices: ${JSON.stringify(choices)}`);
  await dest.selectOption(String(a.ext));
  await field(page, 'trunks.list.authentication').check();
  await user.waitFor();
  eq(await pw.getAttribute('type'), 'password', 'the trunk password input type');
  await user.fill(a.user);
  await pw.fill(a.secret);
  // the test's registrar answers REGISTER only: no OPTIONS checks
  await field(page, 'trunks.list.qualify').uncheck();
  await dlg.locator('[data-test="save"]').click();
  await dlg.waitFor({ state: 'detached' });
  const row = trunks.locator('tbody tr', { hasText: 'office' });
  await row.waitFor();
  eq(await row.locator('td[data-label="Host:port"]').textContent(), `${a.host}:${a.port}`, 'the host:port cell');
  eq(await row.locator('td[data-label="Default action"]').textContent(), `${a.ext} (${a['ext-name']})`, 'the default action cell');
  await waitText(row.locator('[data-test="trunk-registration"]'), /^Unregistered$/, 'the registration before the apply');
  eq(await row.locator('[data-test="trunk-reachability"]').textContent(), 'Not checked', 'the reachability of an unchecked trunk');
  await until(async () => (await pillCount(page)) === '1', 'the pill to count the trunk');

  log('PBX › Call Routing: an outbound route with a bad pattern');
  await nav(page, 'pbx/routing', 'Call Routing');
  const outbound = t(page, 'table-call_routing.outbound');
  await outbound.locator('[data-test="add"]').click();
  const rdlg = t(page, 'entry-dialog');
  await rdlg.waitFor();
  const help = (await rdlg.locator('[data-field="call_routing.outbound.pattern"] .hint').textContent()) ?? '';
  check(/_ then X \(0-9\)/.test(help), `the pattern's help: ${help}`);
  await field(page, 'call_routing.outbound.name').fill('local');
  const pattern = field(page, 'call_routing.outbound.pattern');
  await pattern.fill(a['bad-pattern']);
  const trunkSel = field(page, 'call_routing.outbound.trunk');
  await trunkSel.selectOption({ label: 'office' });
  await rdlg.locator('[data-test="save"]').click();
  out.refusal = await waitText(rdlg.locator('[data-test="error-call_routing.outbound.pattern"]'), /is not closed by '\]'/, 'the refusal at the pattern field');
  log(`refused: ${out.refusal}`);
  eq(await pillCount(page), '1', 'the pill after the refused pattern');
  await pattern.fill('_20XX');
  await rdlg.locator('[data-test="save"]').click();
  await rdlg.waitFor({ state: 'detached' });
  const rrow = outbound.locator('tbody tr', { hasText: '_20XX' });
  await rrow.waitFor();
  eq(await rrow.locator('td[data-label="Trunk"]').textContent(), 'office', 'the route\'s trunk cell');
  await until(async () => (await pillCount(page)) === '2', 'the pill to count the route');

  log('the route preview, staged');
  // the page read the staged trunks when it opened: office is among the calls in
  const num = t(page, 'preview-number');
  const answer = t(page, 'preview-answer');
  const source = t(page, 'preview-source');
  const ask = async (n, trunk = '') => {
    await t(page, 'preview-trunk').selectOption(trunk);
    await num.fill(n);
    await t(page, 'preview').click();
    return waitText(answer, new RegExp('^' + n.replace(/\+/g, '\\+')), `the preview of ${n}`);
  };
  out.staged = {
    route: await ask('2001'),
    prefix: await ask('8050123456789'),
    inbound: await ask('999', 'office'),
  };
  eq(out.staged.route, '2001: outbound route local (_20XX) to trunk office — the number is sent as dialled', 'the preview of 2001');
  eq(out.staged.prefix, '8050123456789: dial-out prefix of trunk office — 050123456789 is sent', 'the preview of 8050123456789');
  eq(out.staged.inbound, `999 called on trunk office: no inbound route matches: the trunk's default, ${a.ext} (${a['ext-name']})`, 'the preview of a call in');
  await waitText(source, /staged configuration/, 'the preview\'s source before the apply');

  log('PBX › Block List');
  await nav(page, 'pbx/blocklist', 'Block List');
  const rule = (await t(page, 'substring-rule').textContent()) ?? '';
  check(rule.includes('7654321 blocks +971507654321 and 0507654321'), `the rule on the page: ${rule}`);
  const bl = t(page, 'table-block_lists.list');
  await bl.locator('[data-test="add"]').click();
  const bdlg = t(page, 'entry-dialog');
  await bdlg.waitFor();
  await field(page, 'block_lists.list.name').fill('spam');
  const numbers = a.block.split(',');
  await field(page, 'block_lists.list.numbers').fill(numbers.join(' '));
  await bdlg.locator('[data-test="save"]').click();
  await bdlg.waitFor({ state: 'detached' });
  const brow = bl.locator('tbody tr', { hasText: 'spam' });
  await brow.waitFor();
  eq(await brow.locator('td[data-label="Numbers"]').textContent(), numbers.join(', '), 'the numbers cell');
  await until(async () => (await pillCount(page)) === '3', 'the pill to count the block list');

  log('apply');
  await t(page, 'pill').click();
  await t(page, 'changes-dialog').waitFor();
  out.revision = await applyAndConfirm(page);

  log('the preview after the apply');
  await nav(page, 'pbx/routing', 'Call Routing');
  out.applied = { route: await ask('2001') };
  eq(out.applied.route, out.staged.route, 'the preview of 2001 after the apply');
  await waitText(source, /configuration in force/, 'the preview\'s source after the apply');

  log('the trunk registers, live');
  await nav(page, 'pbx/trunks', 'Trunks');
  await waitText(trunks.locator('tbody tr', { hasText: 'office' }).locator('[data-test="trunk-registration"]'), /^Registered$/,
    'the trunk\'s registration', 20000);
  out.writes = writes;
  console.log('RESULT ' + JSON.stringify(out));
});
