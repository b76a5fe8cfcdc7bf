/*
 * First run (a common password refused by the strength meter and the form)
 * → log out / log in → change the DHCP pool start on the LAN page,
 * Save, the pill counts 1, its dialog lists old → new, Apply with the
 * countdown and the GUI's own confirmation; the pill goes away and the new
 * value is in the field after a reload.
 *
 * --token SETUP_TOKEN --password PW --start NEW_POOL_START
 * Prints "RESULT {json}" with the applied revision.
 */
import { applyAndConfirm, check, eq, field, log, login, nav, open, pillCount, scenario, section, setupPassword, t, until, waitText } from './lib.mjs';

await scenario('first_run', async ({ page, a }) => {
  check(a.token && a.password && a.start, '--token, --password and --start are required');

  // the GUI without a password sends the visitor to the setup page
  await open(page, a.base, '#/dashboard');
  await until(() => page.url().includes('#/setup'), 'the redirect to #/setup before the first password is set');

  log('setup link: a common password is refused, by the meter and by the form');
  await open(page, a.base, `#/setup?token=${a.token}`);
  const setup = t(page, 'setup-form');
  await setup.waitFor();
  await setup.locator('input[name="password"]').fill('password');
  await waitText(t(page, 'password-meter-text'), /too easy to guess.*dictionary word/, 'the meter refusing "password"');
  await setup.locator('input[name="password2"]').fill('password');
  await t(page, 'setup').click();
  await waitText(t(page, 'error-password'), /too easy to guess/, 'the setup form refusing "password"');
  await setup.locator('input[name="password"]').fill(a.password);
  await waitText(t(page, 'password-meter-text'), /^(Strong|Good)\./, 'the meter accepting the passphrase');

  log('setup link');
  await setupPassword(page, a.base, a.token, a.password);
  check(page.url().includes('#/dashboard'), `after setup the page is ${page.url()}`);

  log('log out, log in');
  await t(page, 'logout').click();
  await t(page, 'login-form').waitFor();
  check(page.url().includes('#/login'), `after logout the page is ${page.url()}`);
  // a wrong password is refused on the page
  await t(page, 'login-form').locator('input[name="password"]').fill(a.password + 'x');
  await t(page, 'login').click();
  await waitText(t(page, 'error-password'), /Wrong password/, 'the wrong-password message');
  await login(page, a.base, a.password);
  await t(page, 'dashboard').waitFor();

  log('LAN page');
  // the LAN page sits in the "Network Settings" group of the menu
  const group = page.locator('.nav-group', { has: page.locator('h2', { hasText: 'Network Settings' }) });
  await group.locator('[data-test="nav-lan"]').waitFor();
  await nav(page, 'lan', 'LAN');
  await section(page, 'lan');
  const start = field(page, 'lan.dhcp.start');
  const old = await start.inputValue();
  check(old && old !== a.start, `pool start before the change: ${JSON.stringify(old)}`);
  eq(await pillCount(page), null, 'the pill before any change');

  await start.fill(a.start);
  await t(page, 'save').click();
  await waitText(t(page, 'banner'), /^Saved\. 1 unsaved change/, 'the "Saved" banner');
  await until(async () => (await pillCount(page)) === '1', 'the pill to show 1');

  log('changes dialog');
  await t(page, 'pill').click();
  const dlg = t(page, 'changes-dialog');
  await dlg.waitFor();
  const rows = dlg.locator('[data-test="change"]');
  await until(async () => (await rows.count()) === 1, 'one row in the changes dialog');
  eq(await rows.first().getAttribute('data-path'), 'lan.dhcp.start', 'the changed path');
  eq((await rows.first().locator('.old').textContent())?.trim(), old, 'the old value in the dialog');
  eq((await rows.first().locator('.new').textContent())?.trim(), a.start, 'the new value in the dialog');
  check(/→/.test((await rows.first().textContent()) ?? ''), 'the change row shows old → new');

  log('apply');
  const revision = await applyAndConfirm(page);
  await until(async () => (await pillCount(page)) === null, 'the pill to go away after the apply');
  await waitText(t(page, 'page-title'), /^LAN$/, 'the LAN page after the apply');

  log('reload');
  await page.reload({ waitUntil: 'domcontentloaded' });
  await section(page, 'lan');
  eq(await field(page, 'lan.dhcp.start').inputValue(), a.start, 'the pool start after a reload');
  eq(await pillCount(page), null, 'the pill after a reload');
  check(await page.locator('[data-test="pending-confirm"]').count() === 0, 'a confirm dialog is open after the reload (the revision was not confirmed)');

  console.log('RESULT ' + JSON.stringify({ revision, old }));
});
