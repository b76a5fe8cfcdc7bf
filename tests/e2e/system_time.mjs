/*
 * Administration › System: the manual's warning that the GUI password is
 * root's too is shown beside the password form; on Region & Time the
 * timezone chosen from the router's list, saved and applied; then the
 * router's time is shown in that zone (its abbreviation, and the hour of
 * UTC plus the zone's offset), ticking.
 *
 * --password PW --zone NAME --abbr ABBR --offset SECONDS
 * Prints "RESULT {json}" with the time shown.
 */
import { applyAndConfirm, check, eq, log, login, nav, pillCount, scenario, t, until, waitText } from './lib.mjs';

await scenario('system_time', async ({ page, a }) => {
  check(a.password && a.zone && a.abbr && a.offset, '--password, --zone, --abbr and --offset are required');
  await login(page, a.base, a.password);
  await nav(page, 'system', 'System');

  log('the root password warning');
  const warn = t(page, 'root-password-warning');
  await warn.waitFor();
  check(await warn.isVisible(), 'the warning is not visible');
  await waitText(warn, /Changing the GUI password will also change the root password of the device/, 'the warning');
  await t(page, 'password-form').waitFor();

  log('Region & Time: the timezone');
  await t(page, 'tab-time').click();
  await waitText(t(page, 'router-time'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/, 'the router\'s time in UTC first');
  const zone = t(page, 'choose-time.timezone');
  await zone.waitFor();
  await zone.selectOption(a.zone);
  await t(page, 'save').click();
  await waitText(t(page, 'banner'), /^Saved\./, 'the "Saved" banner');
  await until(async () => (await pillCount(page)) === '1', 'the pill to show 1');
  await t(page, 'pill').click();
  await t(page, 'changes-dialog').waitFor();
  await applyAndConfirm(page);

  log('the time shown in the zone');
  await page.reload();
  await t(page, 'router-time').waitFor();
  await waitText(t(page, 'router-zone'), new RegExp(`^Timezone ${a.zone}$`), 'the zone named');
  const re = new RegExp(`^(\\d{4})-(\\d\\d)-(\\d\\d) (\\d\\d):(\\d\\d):(\\d\\d) ${a.abbr}$`);
  const first = await waitText(t(page, 'router-time'), re, `the time in ${a.abbr}`);
  const m = re.exec(first);
  const shown = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - Number(a.offset) * 1000;
  check(Math.abs(shown - Date.now()) < 120000, `the time shown (${first}) is not now in ${a.zone}`);
  await until(async () => (await t(page, 'router-time').textContent()) !== first, 'the clock to tick', 5000);
  eq(await t(page, 'ntp-state').isVisible(), true, 'the NTP state shown');
  console.log('RESULT ' + JSON.stringify({ shown: first }));
});
