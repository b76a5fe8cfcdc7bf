/*
 * Dashboards › Telephony and PBX › Call Detail Records, with real phones
 * (sipp, started by the test when told):
 *  - the dashboard: both extensions registered ("2 of 2" and who); after
 *    "READY call" the test places a long call from --caller to --callee:
 *    it shows as caller → callee ("CALL UP": the test reads the status
 *    meanwhile) with its time ticking; once it ends it is gone and today's
 *    calls count one more, answered;
 *  - leaving the dashboard stops its reads of the status;
 *  - the CDR page: the call's row (from, to, ANSWERED, its recording); the
 *    recordings hint (no drive set); Play fetches the recording in pieces
 *    and the audio element gets a blob: URL with a duration > 0; Download
 *    saves it under its file name; the number and result filters;
 *  - the caller's softphone dialog shows the QR code of its SIP URI.
 *
 * --password PW --caller N --callee N --extensions M (enabled extensions)
 * Prints "RESULT {json}" with the recording's name and the downloaded size.
 */
import { statSync } from 'node:fs';
import { check, eq, log, login, nav, scenario, t, until, waitText } from './lib.mjs';

await scenario('pbx_cdr', async ({ page, a }) => {
  for (const k of ['password', 'caller', 'callee', 'extensions']) check(a[k], `--${k} is required`);
  const statusReads = [];
  page.on('request', (r) => {
    const p = new URL(r.url()).pathname;
    if (p === '/api/v1/status' || p === '/api/v1/pbx/calls-today') statusReads.push(p);
  });
  await login(page, a.base, a.password);

  log('Dashboards › Telephony');
  await nav(page, 'pbx/dashboard', 'Telephony');
  await waitText(t(page, 'tel-registered'), new RegExp(`^2 of ${a.extensions}$`), 'the registered extensions', 20000);
  for (const n of [a.caller, a.callee]) await page.locator(`[data-test="tel-ext"][data-number="${n}"]`).waitFor();
  await waitText(t(page, 'tel-engine'), /^running$/, 'the PBX state');
  await waitText(t(page, 'tel-calls-count'), /^0$/, 'no call up yet');
  const todayText = await waitText(t(page, 'tel-today'), /^\d+$/, "today's calls");
  const today = Number(todayText);
  const answeredBefore = Number(/^(\d+) answered/.exec(await t(page, 'tel-today-detail').textContent())?.[1]);
  check(Number.isInteger(answeredBefore), `today's answered calls: ${await t(page, 'tel-today-detail').textContent()}`);

  log('a call');
  console.log('READY call');
  const row = page.locator(`[data-test="tel-call"][data-caller="${a.caller}"][data-callee="${a.callee}"]`);
  await row.waitFor({ timeout: 15000 });
  console.log('CALL UP');
  await waitText(t(page, 'tel-calls-count'), /^1$/, 'one call up');
  const time = row.locator('[data-test="tel-call-time"]');
  const t1 = await waitText(time, /^\d+:\d\d$/, "the call's time");
  const t2 = await waitText(time, new RegExp(`^(?!${t1}$)\\d+:\\d\\d$`), "the call's time ticking", 3000);
  log(`the call's time: ${t1} then ${t2}`);
  await row.waitFor({ state: 'detached', timeout: 25000 });
  await waitText(t(page, 'tel-today'), new RegExp(`^${today + 1}$`), "today's calls after the call", 10000);
  await waitText(t(page, 'tel-today-detail'), new RegExp(`^${answeredBefore + 1} answered`), "today's answered calls", 5000);

  log('PBX › Call Detail Records');
  await nav(page, 'pbx/cdr', 'Call Detail Records');
  statusReads.length = 0;
  const call = page.locator(`[data-test="call"][data-src="${a.caller}"][data-dst="${a.callee}"]`).first();
  await call.waitFor();
  const text = (await call.textContent()) ?? '';
  check(text.includes('ANSWERED'), `the call's row: ${text}`);
  const file = await call.getAttribute('data-recording');
  check(/\.wav$/.test(file ?? ''), `the call's recording: ${file}`);
  check(await t(page, 'recordings-hint').isVisible(), 'the hint to keep recordings on a drive');
  await page.locator('[name="cdr.retention_days"]').waitFor();

  log('play');
  const pieces = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/v1/pbx/recording') pieces.push(r.url());
  });
  await call.locator('[data-test="play"]').click();
  const player = t(page, 'player');
  await until(async () => /^blob:/.test((await player.getAttribute('src')) ?? ''), 'the player to get a blob: URL');
  const duration = await until(async () => {
    const d = await player.evaluate((el) => el.duration);
    return Number.isFinite(d) && d > 0 ? d : null;
  }, 'the recording\'s duration', 10000);
  check(await t(page, 'player-banner').isHidden(), `an error under the player: ${await t(page, 'player-banner').textContent()}`);
  check(pieces.length >= 1 && pieces.every((u) => u.includes(`file=${encodeURIComponent(file)}`)), `the pieces read: ${pieces}`);
  log(`played ${file}: ${duration.toFixed(2)} s from ${pieces.length} piece(s)`);

  log('download');
  const [download] = await Promise.all([page.waitForEvent('download'), call.locator('[data-test="download"]').click()]);
  eq(download.suggestedFilename(), file, 'the downloaded file name');
  const size = statSync(await download.path()).size;

  log('filters');
  await t(page, 'filter-number').fill(a.callee);
  await t(page, 'filter-disposition').selectOption('ANSWERED');
  await t(page, 'search').click();
  await until(async () => /[?&]number=/.test(page.url()), 'the filters in the URL');
  await call.waitFor();
  await t(page, 'filter-disposition').selectOption('BUSY');
  await t(page, 'search').click();
  await waitText(t(page, 'cdr-count'), /^No calls$/, 'no busy call of the callee');
  check(await call.isHidden(), 'the answered call among the busy ones');
  check(statusReads.length === 0, `the status read after leaving the dashboard: ${statusReads}`);

  log('softphone QR');
  await nav(page, 'pbx/extensions', 'Extensions');
  await page.locator('[data-test="table-extensions.list"] tbody tr', { hasText: a.caller }).locator('[data-test="softphone"]').click();
  const qr = t(page, 'sp-qr');
  await qr.waitFor();
  eq(await qr.getAttribute('data-text'), `sip:${a.caller}@192.168.1.1:6069;transport=tls`, 'the QR code\'s URI');
  await until(() => qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code image to load');
  await waitText(t(page, 'sp-qr-text'), /does not hold the password/, 'the sentence under the QR code');

  console.log('RESULT ' + JSON.stringify({ file, size, duration, pieces: pieces.length }));
});
