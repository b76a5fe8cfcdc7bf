import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bandwidthPage } from '../pages/bandwidth';
import { progressLine, sqmFromSpeedTest, type SpeedResult } from '../pages/speedtest';
import { utilitiesPage } from '../pages/utilities';
import { resetSchema } from '../schema';
import { mockFetch, renderPage, schema, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const result: SpeedResult = {
  download_mbps: 19.12, upload_mbps: 18.7, latency_ms: 21.4, jitter_ms: 0.8, at: 1780000000,
  server: 'https://speed.example', interface: 'wan0', duration_s: 27.3,
};
const idle = { running: false, phase: 'idle', progress: null, error: null, last: null, results: [] };
const speedSettings = { server: 'https://speed.cloudflare.com', verify_tls: true, ca_file: '' };

describe('Speed Tester', () => {
  it('SQM gets 90 % of a measured speed, to 0.1 Mbps', () => {
    expect(sqmFromSpeedTest(result)).toEqual({ download: 17.2, upload: 16.8 });
    expect(sqmFromSpeedTest({ ...result, download_mbps: 0.01, upload_mbps: 1000 })).toEqual({ download: 0.1, upload: 900 });
  });

  it('says what a running test does', () => {
    expect(progressLine({ running: true, phase: 'starting' })).toBe('Starting…');
    expect(progressLine({ running: true, phase: 'latency', progress: { phase: 'latency', bytes: 0, requests: 3, mbps: 0 } })).toBe('Measuring the latency…');
    expect(progressLine({ running: true, phase: 'download', progress: { phase: 'download', bytes: 12345678, requests: 12, mbps: 19.44 } }))
      .toBe('Measuring the download… 12.3 MB, 19.4 Mbit/s');
  });

  it('Utilities › Speed Tester: Start, the progress followed every second, then the result kept', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    let reads = 0;
    const running = (phase: string, bytes: number, mbps: number) => ({
      running: true, phase, started: 1780000000, server: 'https://speed.example',
      progress: { phase, bytes, requests: 4, mbps }, error: null, last: null, results: [],
    });
    const states = [idle, running('download', 5e6, 19.5), running('upload', 2e6, 18.2),
      { running: false, phase: 'done', progress: null, error: null, last: result, results: [result] }];
    const { seen } = mockFetch({
      'GET /speedtest': () => [200, states[Math.min(reads++, states.length - 1)]],
      'POST /speedtest/start': [200, { started: true, at: 1780000000, server: 'https://speed.example', interface: 'wan0' }],
      'GET /config/speedtest': [200, speedSettings],
      'GET /changes': [200, []],
    });
    const root = renderPage(utilitiesPage, 'tab=speedtest');
    expect([...root.querySelectorAll('[role=tab]')].map((t) => t.textContent)).toContain('Speed Tester');
    await vi.waitFor(() => expect(root.querySelector('[data-test=speedtest-last]')!.textContent).toBe('No speed test yet.'));
    expect(root.querySelector('[data-test=speedtest-history]')!.textContent).toContain('No speed test yet.');
    // the server's settings under it
    await vi.waitFor(() => expect(root.querySelector('[name="speedtest.server"]')).not.toBeNull());
    const start = root.querySelector<HTMLButtonElement>('[data-test=speedtest-start]')!;
    start.click();
    const progress = root.querySelector<HTMLElement>('[data-test=speedtest-progress]')!;
    await vi.waitFor(() => expect(progress.textContent).toBe('Measuring the download… 5.0 MB, 19.5 Mbit/s'));
    expect(progress.hidden).toBe(false);
    expect(start.disabled).toBe(true);
    expect(seen.filter((s) => s.method === 'POST').map((s) => s.url)).toEqual(['/speedtest/start']);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(progress.textContent).toBe('Measuring the upload… 2.0 MB, 18.2 Mbit/s'));
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(progress.hidden).toBe(true));
    expect(start.disabled).toBe(false);
    expect(root.querySelector('[data-test=speedtest-download]')!.textContent).toBe('19.1 Mbit/s');
    expect(root.querySelector('[data-test=speedtest-upload]')!.textContent).toBe('18.7 Mbit/s');
    expect(root.querySelector('[data-test=speedtest-latency]')!.textContent).toBe('21.4 ms');
    expect(root.querySelectorAll('[data-test=speedtest-history] tbody tr')).toHaveLength(1);
    // done: no more reading
    const n = reads;
    await vi.advanceTimersByTimeAsync(5000);
    expect(reads).toBe(n);
  });

  it('a refused start and a failed test say why', async () => {
    mockFetch({
      'GET /speedtest': [200, { ...idle, phase: 'failed', error: 'https://speed.example/__down?bytes=0: SSL certificate problem: unable to get local issuer certificate' }],
      'POST /speedtest/start': [409, { error: { code: 'conflict', message: 'a speed test is already running (since 1780000000)' } }],
      'GET /config/speedtest': [200, speedSettings],
      'GET /changes': [200, []],
    });
    const root = renderPage(utilitiesPage, 'tab=speedtest');
    const msg = () => root.querySelector<HTMLElement>('[data-test=speedtest-banner]')!;
    await vi.waitFor(() => expect(msg().textContent).toContain('The last speed test failed: https://speed.example/__down?bytes=0: SSL certificate problem'));
    root.querySelector<HTMLButtonElement>('[data-test=speedtest-start]')!.click();
    await vi.waitFor(() => expect(msg().textContent).toContain('a speed test is already running'));
  });
});

describe('Bandwidth Control › SQM: Auto fill from the last speed test', () => {
  const routes = (st: unknown) => ({
    'GET /qos/sqm': [200, { available: true, enabled: false, interface: 'wan0' }],
    'GET /config/sqm': [200, { enabled: false }],
    'GET /speedtest': [200, st],
    'PATCH /config/sqm': [200, { staged: true }],
    'GET /changes': [200, []],
  } as const);

  it('fills 90 % of the last result into the form, and Save stages them', async () => {
    const { seen } = mockFetch(routes({ ...idle, phase: 'done', last: result, results: [result] }) as never);
    const root = renderPage(bandwidthPage, 'tab=sqm');
    await until(() => root.querySelector('[data-test=autofill-speedtest]'));
    root.querySelector<HTMLButtonElement>('[data-test=autofill-speedtest]')!.click();
    await until(() => root.querySelector<HTMLInputElement>('[name="sqm.download"]')!.value === '17.2');
    expect(root.querySelector<HTMLInputElement>('[name="sqm.upload"]')!.value).toBe('16.8');
    const note = root.querySelector<HTMLElement>('[data-test=form-sqm] [data-test=banner]')!;
    expect(note.textContent).toContain('Filled in 17.2 / 16.8 Mbps (90 % of the speed test of');
    root.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => seen.some((s) => s.method === 'PATCH'));
    expect(seen.find((s) => s.method === 'PATCH')!.body).toEqual({ download: 17.2, upload: 16.8 });
  });

  it('without a speed test it says where to run one and fills nothing', async () => {
    mockFetch(routes(idle) as never);
    const root = renderPage(bandwidthPage, 'tab=sqm');
    await until(() => root.querySelector('[data-test=autofill-speedtest]'));
    const before = root.querySelector<HTMLInputElement>('[name="sqm.download"]')!.value;
    root.querySelector<HTMLButtonElement>('[data-test=autofill-speedtest]')!.click();
    const note = () => root.querySelector<HTMLElement>('[data-test=form-sqm] [data-test=banner]')!;
    await until(() => note().textContent!.includes('No speed test yet'));
    expect(note().querySelector('a')!.getAttribute('href')).toBe('#/utilities?tab=speedtest');
    expect(root.querySelector<HTMLInputElement>('[name="sqm.download"]')!.value).toBe(before);
  });
});
