/*
 * Administration › System › API tokens: a token made with the scope chosen
 * in the form; the new row shows its scope, who made it, when, and that it
 * was never used; used by a script, the page shows when after a reload.
 *
 * --password PW --signal-dir DIR
 * Prints "RESULT {json}" with the token's id and value (the test uses it
 * between the two phases: the scenario waits for DIR/used).
 */
import { existsSync } from 'node:fs';
import { check, eq, log, login, nav, scenario, t, until, waitText } from './lib.mjs';

await scenario('tokens', async ({ page, a }) => {
  check(a.password && a['signal-dir'], '--password and --signal-dir are required');
  await login(page, a.base, a.password);
  await nav(page, 'system', 'System');
  await t(page, 'token-form').waitFor();

  log('a config token');
  const scope = t(page, 'token-scope');
  eq(await scope.inputValue(), 'read-only', 'the scope offered first');
  await page.locator('#token-name').fill('e2e script');
  await scope.selectOption('config');
  await t(page, 'create-token').click();
  const value = await waitText(t(page, 'token-value'), /^difos_[0-9a-f]{64}$/, 'the new token shown once');
  const row = page.locator('tr[data-test^="token-"]', { hasText: 'e2e script' });
  await row.waitFor();
  const id = (await row.getAttribute('data-test')).replace('token-', '');
  const cells = await row.locator('td').allTextContents();
  eq(cells.slice(0, 3).join('|'), 'e2e script|config|admin', 'name, scope and maker in the row');
  check(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+$/.test(cells[3]), `the created time, with its zone: ${cells[3]}`);
  eq(cells[4], 'never', 'last used of a new token');
  console.log('RESULT ' + JSON.stringify({ id: Number(id), token: value }));

  log('used by a script: the page says when');
  await until(() => existsSync(`${a['signal-dir']}/used`), 'the test to use the token', 60000);
  await page.reload();
  await t(page, 'token-form').waitFor();
  await until(async () => /^\d{4}-/.test(((await t(page, 'token-used-' + id).textContent()) ?? '')), 'the last-used time after a reload');
});
