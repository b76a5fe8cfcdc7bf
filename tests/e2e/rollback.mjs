/*
 * History: compare two revisions (the diff names the changed path, old →
 * new), roll back to the older one (its dialog lists what will change,
 * countdown, the GUI confirms by itself), the field shows the old value.
 *
 * --password PW --older REV --newer REV --path CONFIG_PATH
 * --older-value V --newer-value V --page ROUTE (e.g. lan) --title TITLE
 * Prints "RESULT {json}" with the rollback's revision.
 */
import { applyAndConfirm, check, eq, field, log, login, nav, scenario, section, t, until, waitText } from './lib.mjs';

await scenario('rollback', async ({ page, a }) => {
  for (const k of ['password', 'older', 'newer', 'path', 'older-value', 'newer-value', 'page', 'title']) check(a[k], `--${k} is required`);
  const { older, newer, path } = a;

  await login(page, a.base, a.password);
  await nav(page, 'history', 'History');
  const oldRow = t(page, 'rev-' + older);
  const newRow = t(page, 'rev-' + newer);
  await oldRow.waitFor();
  await newRow.waitFor();
  check(/running/.test((await newRow.textContent()) ?? ''), `revision ${newer} is not marked running: ${await newRow.textContent()}`);
  eq(await t(page, 'rollback-' + newer).count(), 0, 'a Roll back button on the running revision');

  log('compare');
  const compare = t(page, 'compare');
  check(await compare.isDisabled(), 'Compare is enabled before two revisions are picked');
  await t(page, 'pick-' + older).check();
  check(await compare.isDisabled(), 'Compare is enabled with one revision picked');
  await t(page, 'pick-' + newer).check();
  await until(() => compare.isEnabled(), 'Compare to be enabled with two revisions picked');
  await compare.click();
  const diff = t(page, 'diff');
  await waitText(diff.locator('h2'), new RegExp(`^From revision ${older} to ${newer}$`), 'the diff heading');
  const row = diff.locator(`[data-test="change"][data-path="${path}"]`);
  await row.waitFor();
  eq((await row.locator('.old').textContent())?.trim(), a['older-value'], `old value of ${path} in the diff`);
  eq((await row.locator('.new').textContent())?.trim(), a['newer-value'], `new value of ${path} in the diff`);

  log('roll back');
  await t(page, 'rollback-' + older).click();
  const dlg = t(page, 'rollback-dialog');
  await dlg.waitFor();
  await waitText(dlg.locator('h2').first(), new RegExp(`Roll back to revision ${older}`), 'the rollback dialog title');
  const planned = dlg.locator(`[data-test="change"][data-path="${path}"]`);
  await planned.waitFor();
  eq((await planned.locator('.old').textContent())?.trim(), a['newer-value'], 'the running value in the rollback dialog');
  eq((await planned.locator('.new').textContent())?.trim(), a['older-value'], 'the value after the rollback in the rollback dialog');
  await until(() => t(page, 'rollback-confirm').isEnabled(), 'the rollback button to be enabled');
  const revision = await applyAndConfirm(page, 'rollback-dialog', 'rollback-confirm');
  check(revision > Number(newer), `the rollback made revision ${revision}`);

  // the history shows the new revision as the running one
  const rbRow = t(page, 'rev-' + revision);
  await rbRow.waitFor();
  await waitText(rbRow, /running/, `revision ${revision} marked running`);

  log('the field');
  await nav(page, a.page, a.title);
  await section(page, path.split('.')[0]);
  eq(await field(page, path).inputValue(), a['older-value'], `${path} after the rollback`);
  console.log('RESULT ' + JSON.stringify({ revision }));
});
