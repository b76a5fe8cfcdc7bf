/*
 * An invalid pool start on the LAN page: "192.168.1.300" is refused in the
 * page (inline error, Save sends nothing); "10.0.0.5" passes the page's
 * checks but the router refuses it (outside the LAN) and its message lands
 * on the field. Nothing is staged, the pill stays hidden.
 *
 * --password PW
 */
import { check, eq, field, log, login, nav, pillCount, scenario, section, t, until, waitText } from './lib.mjs';

await scenario('invalid_ip', async ({ page, a }) => {
  check(a.password, '--password is required');
  const writes = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/config') && r.method() !== 'GET') writes.push(`${r.method()} ${new URL(r.url()).pathname} ${r.postData() ?? ''}`);
  });
  const answers = [];
  page.on('response', (r) => {
    if (r.url().includes('/api/v1/config') && r.request().method() !== 'GET') answers.push(r.status());
  });

  await login(page, a.base, a.password);
  await nav(page, 'lan', 'LAN');
  await section(page, 'lan');
  const start = field(page, 'lan.dhcp.start');
  const err = t(page, 'error-lan.dhcp.start');
  const old = await start.inputValue();
  eq(((await err.textContent()) ?? '').trim(), '', 'the pool start error before typing');

  log('not an address');
  await start.fill('192.168.1.300');
  const msg1 = await waitText(err, /\S/, 'the inline error of 192.168.1.300');
  log(`inline error: ${msg1}`);
  eq(await start.getAttribute('aria-invalid'), 'true', 'aria-invalid of the bad field');
  await t(page, 'save').click();
  await waitText(t(page, 'banner'), /Some fields need attention/, 'the form banner');
  await page.waitForTimeout(500); // a request would have gone by now
  eq(writes.length, 0, `requests sent for an invalid value (${writes.join('; ')})`);
  check(((await err.textContent()) ?? '').trim().length > 0, 'the inline error stays after Save');
  eq(await pillCount(page), null, 'the pill after a refused Save');

  log('outside the LAN');
  await start.fill('10.0.0.5');
  await until(async () => ((await err.textContent()) ?? '').trim() === '', 'the inline error to clear for 10.0.0.5 (the page cannot know the subnet)');
  await t(page, 'save').click();
  const msg2 = await waitText(err, /10\.0\.0\.5.*outside|outside.*10\.0\.0\.5/i, "the router's error on the pool start field");
  log(`server error: ${msg2}`);
  check(!msg2.startsWith('lan.dhcp.start:'), `the field error repeats the path: ${msg2}`);
  eq(writes.length, 1, `requests sent for 10.0.0.5 (${writes.join('; ')})`);
  check(/10\.0\.0\.5/.test(writes[0]), `the request did not carry the value: ${writes[0]}`);
  eq(answers[0], 422, "the router's answer to 10.0.0.5");
  await waitText(t(page, 'banner'), /Some fields need attention/, 'the form banner after the refusal');
  eq(await start.inputValue(), '10.0.0.5', 'the typed value stays in the field');

  // nothing staged: the API and the pill agree
  const staged = await page.evaluate(async () => (await fetch('/api/v1/changes', { headers: { Accept: 'application/json' } })).json());
  eq(JSON.stringify(staged), '[]', 'GET /api/v1/changes');
  await page.waitForTimeout(300);
  eq(await pillCount(page), null, 'the pill after the refusal');

  // a reload shows the running value again
  await page.reload({ waitUntil: 'domcontentloaded' });
  await section(page, 'lan');
  eq(await field(page, 'lan.dhcp.start').inputValue(), old, 'the pool start after a reload');
  console.log('RESULT ' + JSON.stringify({ old, clientError: msg1, serverError: msg2 }));
});
