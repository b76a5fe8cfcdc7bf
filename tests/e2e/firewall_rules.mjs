/*
 * Firewall: an IP alias and two traffic rules made in the GUI, then the
 * second rule dragged above the first by its grip.
 *
 *   alias  <alias> = <alias-addr>
 *   rule A "reject <port>"       wan -> router, tcp <port>, reject   (made first: index 1)
 *   rule B "allow <alias> <port>" wan -> router, tcp <port>, from <alias> (its name
 *                                picked from the field's suggestions), accept
 *
 * Apply; then drag B above A: the table shows B first, exactly one PATCH
 * staged the new indexes (B 1, A 2), the pill counts those two changes and
 * its dialog lists them; Apply again.
 *
 * The test checks packets at two points: the scenario prints "READY <step>"
 * (applied-first, staged-reorder) and waits until the file <signal-dir>/go-<step>
 * exists before it goes on.
 *
 * --password PW --alias NAME --alias-addr CIDR --port N --signal-dir DIR
 * Prints "RESULT {json}" with the rule ids, the reorder PATCH and the revisions.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyAndConfirm, check, eq, field, log, login, nav, pillCount, scenario, t, until, waitText } from './lib.mjs';

await scenario('firewall_rules', async ({ page, a }) => {
  for (const k of ['password', 'alias', 'alias-addr', 'port', 'signal-dir']) check(a[k], `--${k} is required`);
  const { alias, port } = a;
  const writes = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/config') && r.method() !== 'GET')
      writes.push({ method: r.method(), path: new URL(r.url()).pathname, body: r.postData() ? JSON.parse(r.postData()) : null });
  });

  /** Tells the test where we are; goes on once it has checked the packets. */
  const handOver = async (step) => {
    console.log(`READY ${step}`);
    await until(() => existsSync(join(a['signal-dir'], 'go-' + step)), `the test's packet checks (${step})`, 60000, 100);
  };

  await login(page, a.base, a.password);

  log('IP alias');
  await nav(page, 'aliases', 'Aliases');
  const ipCard = t(page, 'table-firewall.ip_aliases');
  await ipCard.locator('[data-test="add"]').click();
  let dlg = t(page, 'entry-dialog');
  await dlg.waitFor();
  eq(await field(page, 'firewall.ip_aliases.type').inputValue(), 'manual', 'the type of a new alias');
  check(await dlg.locator('[data-field="firewall.ip_aliases.countries"]').isHidden(), 'countries are shown for a manual alias');
  await field(page, 'firewall.ip_aliases.name').fill(alias);
  await field(page, 'firewall.ip_aliases.addresses').fill(a['alias-addr']);
  await field(page, 'firewall.ip_aliases.description').fill('the WAN test server');
  await dlg.locator('[data-test="save"]').click();
  await dlg.waitFor({ state: 'detached' });
  const aliasRow = ipCard.locator('tbody tr', { hasText: alias });
  await aliasRow.waitFor();
  check(((await aliasRow.textContent()) ?? '').includes(a['alias-addr']), `the alias row: ${await aliasRow.textContent()}`);
  await until(async () => (await pillCount(page)) === '1', 'the pill to count the alias');

  log('two traffic rules');
  await nav(page, 'traffic-rules', 'Traffic Rules');
  const card = t(page, 'table-firewall.rules');
  const rows = card.locator('tbody tr');
  const addRule = async (r) => {
    await card.locator('[data-test="add"]').click();
    dlg = t(page, 'entry-dialog');
    await dlg.waitFor();
    await field(page, 'firewall.rules.description').fill(r.description);
    await field(page, 'firewall.rules.proto').selectOption('tcp');
    await field(page, 'firewall.rules.src_zone').selectOption('wan');
    await field(page, 'firewall.rules.dest_zone').selectOption('router');
    await field(page, 'firewall.rules.dest_ports').fill(port);
    await field(page, 'firewall.rules.action').selectOption(r.action);
    if (r.src) {
      // the alias is offered: one click puts its name into the field
      const pick = dlg.locator(`[data-test="suggest-firewall.rules.src"] [data-value="${r.src}"]`);
      await pick.click();
      eq(await field(page, 'firewall.rules.src').inputValue(), r.src, 'the source after picking the alias');
    }
    await dlg.locator('[data-test="save"]').click();
    await dlg.waitFor({ state: 'detached' });
    await card.locator('tbody tr', { hasText: r.description }).waitFor();
  };
  const A = { description: `reject ${port}`, action: 'reject' };
  const B = { description: `allow ${alias} ${port}`, action: 'accept', src: alias };
  await addRule(A);
  await addRule(B);
  const order = () => rows.evaluateAll((trs) => trs.map((tr) => ({
    id: Number(tr.getAttribute('data-id')),
    index: tr.querySelector('td[data-label="Index"]')?.textContent,
    description: tr.querySelector('td[data-label="Description"]')?.textContent,
  })));
  let now = await order();
  eq(JSON.stringify(now.map((r) => [r.index, r.description])), JSON.stringify([['1', A.description], ['2', B.description]]), 'the rules in creation order');
  const idA = now[0].id, idB = now[1].id;
  const srcCell = ((await rows.nth(1).locator('td[data-label="Source"]').textContent()) ?? '').replace(/\s+/g, ' ');
  eq(srcCell, `WAN ${alias}`, 'the source cell of rule B');
  await until(async () => (await pillCount(page)) === '3', 'the pill to count the alias and two rules');

  log('apply the alias and the rules');
  await t(page, 'pill').click();
  await t(page, 'changes-dialog').waitFor();
  const rev1 = await applyAndConfirm(page);
  await until(async () => (await pillCount(page)) === null, 'the pill to go once applied');
  await handOver('applied-first');

  log('drag rule B above rule A');
  const before = writes.length;
  const grip = rows.nth(1).locator('[data-test="grip"]');
  const g = await grip.boundingBox();
  const top = await rows.nth(0).boundingBox();
  check(g && top, 'no layout for the rows');
  await page.mouse.move(g.x + g.width / 2, g.y + g.height / 2);
  await page.mouse.down();
  await page.mouse.move(g.x + g.width / 2, top.y + top.height / 2, { steps: 6 });
  await page.mouse.move(g.x + g.width / 2, top.y + 3, { steps: 3 });
  await page.mouse.up();
  await until(async () => (await order())[0]?.description === B.description, 'rule B first in the table');
  await waitText(t(page, 'table-firewall.rules').locator('[data-test="banner"]'), /moved to position 1/, 'the table\'s note on the move');
  now = await order();
  eq(JSON.stringify(now.map((r) => [r.id, r.index, r.description])), JSON.stringify([[idB, '1', B.description], [idA, '2', A.description]]), 'the rules after the drag');
  const staged = writes.slice(before);
  eq(staged.length, 1, `requests that staged the move (${JSON.stringify(staged)})`);
  eq(staged[0].method, 'PATCH', 'the method staging the move');
  eq(staged[0].path, '/api/v1/config/firewall', 'the path of the PATCH');
  eq(JSON.stringify(staged[0].body), JSON.stringify({ [`rules[${idB}].index`]: 1, [`rules[${idA}].index`]: 2 }), 'the PATCH body');
  await until(async () => (await pillCount(page)) === '2', 'the pill to count the two new indexes');

  log('the pill lists the new indexes');
  await t(page, 'pill').click();
  const changes = t(page, 'changes-dialog');
  await changes.waitFor();
  for (const [id, from, to] of [[idB, '2', '1'], [idA, '1', '2']]) {
    const row = changes.locator(`[data-test="change"][data-path="firewall.rules[${id}].index"]`);
    await row.waitFor();
    eq((await row.locator('.old').textContent())?.trim(), from, `old index of rule ${id} in the changes`);
    eq((await row.locator('.new').textContent())?.trim(), to, `new index of rule ${id} in the changes`);
  }
  await handOver('staged-reorder');

  log('apply the new order');
  const rev2 = await applyAndConfirm(page);
  check(rev2 > rev1, `the second apply made revision ${rev2} after ${rev1}`);
  await until(async () => (await pillCount(page)) === null, 'the pill to go once applied');

  log('the keyboard: Arrow Down on the first grip, then Arrow Up');
  await rows.nth(0).locator('[data-test="grip"]').focus();
  await page.keyboard.press('ArrowDown');
  await until(async () => (await order())[1]?.id === idB, 'rule B second after Arrow Down');
  await until(async () => (await pillCount(page)) === '2', 'the pill after Arrow Down');
  const focus = () => page.evaluate(() => {
    const e = document.activeElement;
    return `${e?.closest('tr')?.getAttribute('data-id')}/${e?.getAttribute('data-test')}`;
  });
  eq(await focus(), `${idB}/grip`, 'the focus after Arrow Down (row/control)');
  await page.keyboard.press('ArrowUp');
  await until(async () => (await order())[0]?.id === idB, 'rule B first again after Arrow Up');
  // back to the running order: nothing is left staged
  await until(async () => (await pillCount(page)) === null, 'the pill to go when the order is the running one again');
  eq(writes.length, before + 3, 'requests after the two key presses');

  console.log('RESULT ' + JSON.stringify({ ruleA: idA, ruleB: idB, patch: staged[0].body, revisions: [rev1, rev2] }));
});
