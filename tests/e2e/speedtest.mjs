/*
 * Administration › Utilities › Speed Tester: Start, the phase and rate
 * shown while the test runs, then the result; on Firewall › Bandwidth
 * Control's SQM tab, "Auto fill from the last speed test" fills the SQM
 * speeds from it.
 *
 * --password PW
 * Prints "RESULT {json}": the progress lines seen, the result shown, the
 * SQM fields filled.
 */
import { check, field, log, login, nav, scenario, sleep, t, until, waitText } from './lib.mjs';

await scenario('speedtest', async ({ page, a }) => {
  check(a.password, '--password is required');
  await login(page, a.base, a.password);
  await nav(page, 'utilities', 'Utilities');
  await t(page, 'tab-speedtest').click();
  await t(page, 'speedtest-card').waitFor();
  await waitText(t(page, 'speedtest-last'), /No speed test yet/, 'no test yet');

  log('Start');
  await t(page, 'speedtest-start').click();
  const progress = t(page, 'speedtest-progress');
  const seen = new Set();
  // the page reads the test every second while it runs
  await until(async () => {
    if (await progress.isVisible()) {
      const text = (await progress.textContent()) || '';
      if (text) seen.add(text.replace(/ [\d.]+ MB, [\d.]+ Mbit\/s$/, ''));
    }
    return !(await progress.isVisible()) && (await t(page, 'speedtest-download').count()) > 0;
  }, 'the test to end and its result to show', 120000, 300);
  check(await t(page, 'speedtest-start').isEnabled(), 'Start is not enabled again');
  const download = await t(page, 'speedtest-download').textContent();
  const upload = await t(page, 'speedtest-upload').textContent();
  const latency = await t(page, 'speedtest-latency').textContent();
  check(/ Mbit\/s$/.test(download) && / ms$/.test(latency), `the result shown: ${download} ${upload} ${latency}`);
  check((await t(page, 'speedtest-history').locator('tbody tr').count()) === 1, 'one result kept');

  log('SQM filled from it');
  await nav(page, 'bandwidth', 'Bandwidth Control');
  await t(page, 'tab-sqm').click();
  await t(page, 'autofill-speedtest').click();
  await waitText(t(page, 'form-sqm').locator('[data-test="banner"]'), /^Filled in .* \(90 % of the speed test of /, 'the note');
  await sleep(100);
  console.log('RESULT ' + JSON.stringify({
    progress: [...seen], download, upload, latency,
    sqm: { download: await field(page, 'sqm.download').inputValue(), upload: await field(page, 'sqm.upload').inputValue() },
  }));
}, { limitMs: 170000 });
