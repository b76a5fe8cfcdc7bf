/*
 * Administration › System › Backup & Updates: a backup made with a
 * passphrase is downloaded; the test changes a setting; the file is
 * chosen again, checked (the manifest and the change shown), restored with
 * the confirm countdown and confirmed by the GUI.
 *
 * --password PW --signal-dir DIR --passphrase TEXT
 * Prints "RESULT {json}" with the downloaded file's size; then waits for
 * DIR/changed (the test changed the setting) and restores.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { check, countdownsSeen, eq, log, login, nav, scenario, t, until, waitApplied, waitText, watchCountdown } from './lib.mjs';

await scenario('backup', async ({ page, a }) => {
  check(a.password && a['signal-dir'] && a.passphrase, '--password, --signal-dir and --passphrase are required');
  await login(page, a.base, a.password);
  await nav(page, 'system', 'System');
  await t(page, 'tab-backup').click();
  await t(page, 'backup-card').waitFor();

  log('Create Backup File, with a passphrase');
  await t(page, 'backup-passphrase').fill(a.passphrase);
  const [download] = await Promise.all([page.waitForEvent('download'), t(page, 'create-backup').click()]);
  check(/^difos-.+\.difosbk$/.test(download.suggestedFilename()), `the file's name: ${download.suggestedFilename()}`);
  const file = await download.path();
  const size = statSync(file).size;
  eq(readFileSync(file).subarray(0, 8).toString(), 'DIFOSBK1', 'the file is encrypted');
  await waitText(t(page, 'backup-banner'), /made/, 'the backup made');
  console.log('RESULT ' + JSON.stringify({ size }));

  await until(() => existsSync(`${a['signal-dir']}/changed`), 'the test to change a setting', 60000);

  log('the file checked: a wrong passphrase is refused');
  await t(page, 'restore-file').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/octet-stream', buffer: readFileSync(file) });
  await t(page, 'restore-passphrase').fill('not the passphrase');
  await t(page, 'check-backup').click();
  await waitText(t(page, 'restore-banner'), /wrong passphrase/, 'the refusal of a wrong passphrase');

  log('the right one: the manifest and the change shown');
  await t(page, 'restore-passphrase').fill(a.passphrase);
  await t(page, 'check-backup').click();
  await t(page, 'restore-preview').waitFor();
  eq(await t(page, 'backup-encrypted').textContent(), 'yes', 'the manifest says encrypted');
  const change = page.locator('[data-test="restore-changes"] [data-path="system.keep_revisions"]');
  await change.waitFor();

  log('Restore: the countdown, confirmed by the GUI');
  await watchCountdown(page);
  await t(page, 'restore-backup').click();
  const dlg = t(page, 'restore-dialog');
  const m = await waitApplied(dlg);
  const seen = await countdownsSeen(page);
  check(seen.some((c) => /^Rolls back in \d+ s$/.test(c)), `the confirm countdown was never shown (seen: ${JSON.stringify(seen)})`);
  console.log('RESULT ' + JSON.stringify({ size, revision: Number(m[1]) }));
});
