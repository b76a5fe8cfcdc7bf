/*
 * Administration › Utilities › Terminal: the manual's warning is on the
 * tab; a wrong password is refused with why; with the right one xterm.js
 * opens a root shell: `echo difos-$((6*7))` typed into it shows difos-42
 * in the terminal's text. The window made smaller, the shell's size
 * follows (stty size). Leaving the page ends the shell (the test checks
 * the router's side).
 *
 * --password PW. Prints "RESULT {json}" with the sizes the shell saw.
 */
import { check, eq, log, login, nav, scenario, t, until, waitText } from './lib.mjs';

/** The terminal's screen as text (xterm's DOM renderer: one div per row). */
const screenText = (page) => page.locator('[data-test="terminal-screen"] .xterm-rows').innerText({ timeout: 1000 });

async function typeLine(page, line) {
  await page.locator('[data-test="terminal-screen"] .xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

async function shellSize(page, tag) {
  await typeLine(page, `echo ${tag}-$(stty size | tr ' ' x)`);
  const re = new RegExp(`${tag}-(\\d+)x(\\d+)`);
  const text = await until(async () => re.exec(await screenText(page)), `the shell to print ${tag}-ROWSxCOLS`);
  return { rows: Number(text[1]), cols: Number(text[2]) };
}

await scenario('terminal', async ({ page, a }) => {
  check(a.password, '--password is required');
  const violations = [];
  await page.exposeFunction('cspViolation', (v) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await login(page, a.base, a.password);
  await nav(page, 'utilities', 'Utilities');

  log('the warning, then a wrong password');
  const warn = t(page, 'terminal-warning');
  await warn.waitFor();
  check(await warn.isVisible(), 'the warning is not visible');
  await waitText(warn, /The terminal is a powerful tool, please use it with caution/, 'the warning');
  await t(page, 'terminal-password').fill('not-the-password');
  await t(page, 'terminal-open').click();
  await waitText(t(page, 'terminal-banner'), /not the password of admin/, 'the refusal');
  eq(await t(page, 'terminal-screen').isVisible(), false, 'a terminal shown after a wrong password');

  log('the right password: a shell');
  await t(page, 'terminal-password').fill(a.password);
  await t(page, 'terminal-open').click();
  await waitText(t(page, 'terminal-state'), /^Connected/, 'the terminal to connect');
  await until(async () => /#\s*$/.test((await screenText(page)).trim() + ' ') || /[#$]/.test(await screenText(page)), 'the prompt');
  await typeLine(page, 'echo difos-$((6*7))');
  await until(async () => /difos-42/.test(await screenText(page)), 'difos-42 in the terminal');
  // the renderer's styles applied (mirrored past the CSP): rows have a height
  const rowHeight = await page.locator('[data-test="terminal-screen"] .xterm-rows > div').first().evaluate((el) => el.getBoundingClientRect().height);
  check(rowHeight > 5, `the terminal's rows have no height (${rowHeight})`);

  log('resize');
  const first = await shellSize(page, 'sizeA');
  await page.setViewportSize({ width: 900, height: 700 });
  const second = await until(async () => {
    const s = await shellSize(page, `sizeB${Date.now() % 100000}`);
    return s.cols !== first.cols ? s : null;
  }, 'the shell to see a new size');
  check(second.cols < first.cols, `the shell is not narrower: ${JSON.stringify({ first, second })}`);
  eq(violations.filter((v) => !v.startsWith('style-src')).join(', '), '', 'CSP violations other than inline styles');

  log('leaving the page ends the shell');
  await nav(page, 'dashboard', 'Router');
  console.log('RESULT ' + JSON.stringify({ first, second }));
});
