import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { routerTime } from '../pages/regiontime';
import { systemPage } from '../pages/system';
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

const timeSettings = { timezone: 'Asia/Kolkata', ntp_servers: ['0.debian.pool.ntp.org'], ntp_server_lan: false };
// 2026-03-01 08:30:00 UTC: 14:00:00 in Kolkata
const NOW = Date.UTC(2026, 2, 1, 8, 30, 0);
const timeStatus = {
  now_ms: NOW, utc: '2026-03-01T08:30:00Z', local: '2026-03-01T14:00:00', timezone: 'Asia/Kolkata',
  abbreviation: 'IST', utc_offset: 19800,
  ntp: { running: true, synchronised: true, clock_control: true, sources: [{ address: '198.51.100.1', state: 'selected', stratum: 3, reach: 255 }], sync: null },
};

describe('System page', () => {
  it('shows the manual\'s warning next to the password on its first tab', async () => {
    mockFetch({
      'GET /config/system': [200, { hostname: 'difos', keep_revisions: 100 }],
      'GET /config/web': [200, {}],
      'GET /tokens': [200, []],
      'GET /changes': [200, []],
    });
    const root = renderPage(systemPage);
    const tabs = [...root.querySelectorAll('[role=tab]')].map((t) => t.textContent);
    expect(tabs).toEqual(['Hostname & Credentials', 'Region & Time', 'Backup & Updates', 'Miscellaneous']);
    const warn = root.querySelector('[data-test=root-password-warning]')!;
    expect(warn.textContent).toContain('Changing the GUI password will also change the root password of the device');
    expect(root.querySelector('[data-test=password-form]')).not.toBeNull();
  });

  it('shows the router\'s time in its zone, ticking, and read again every 30 s', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'setTimeout', 'Date'] });
    vi.setSystemTime(NOW + 5000);   // the browser's clock is not the router's
    let reads = 0;
    const { seen } = mockFetch({
      'GET /time': () => {
        reads++;
        return [200, { ...timeStatus, now_ms: NOW + (reads - 1) * 30000 }];
      },
      'GET /time/zones': [200, { zones: ['Asia/Kolkata', 'Europe/Berlin', 'UTC'] }],
      'GET /config/time': [200, timeSettings],
      'GET /changes': [200, []],
      'POST /time/sync': [200, { sync: { state: 'running' } }],
    });
    const root = renderPage(systemPage, 'tab=time');
    const clock = () => root.querySelector('[data-test=router-time]')!.textContent;
    await vi.waitFor(() => expect(clock()).toBe('2026-03-01 14:00:00 IST'));
    // the ticks count from the reading, not from the browser's clock
    await vi.advanceTimersByTimeAsync(3000);
    expect(clock()).toMatch(/^2026-03-01 14:00:0[23] IST$/);
    expect(root.querySelector('[data-test=ntp-state]')!.textContent).toBe('Synchronised with 198.51.100.1 (stratum 3).');
    expect(reads).toBe(1);
    await vi.advanceTimersByTimeAsync(27500);
    expect(reads).toBe(2);
    // read again: the router's time of the second reading, ticking on from it
    expect(clock()).toMatch(/^2026-03-01 14:00:3[01] IST$/);
    // the timezone is a select of the router's zones
    await vi.waitFor(() => expect(root.querySelector('[data-test="choose-time.timezone"]')).not.toBeNull());
    const sel = root.querySelector('[data-test="choose-time.timezone"]') as HTMLSelectElement;
    expect([...sel.options].map((o) => o.value)).toEqual(['Asia/Kolkata', 'Europe/Berlin', 'UTC']);
    expect(sel.value).toBe('Asia/Kolkata');
    (root.querySelector('[data-test=sync-ntp]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(seen.some((r) => r.method === 'POST' && r.url === '/time/sync')).toBe(true));
  });

  it('offers data on the LTE module and the TLS certificate on Miscellaneous', async () => {
    const { seen } = mockFetch({
      'GET /config/wwan': [200, { enabled: true, data: true, apn: '', pdp_type: 'ipv4v6', ipv6_pd: false, control_port: '/dev/ttyUSB2', device: 'wwan0', backend: 'auto' }],
      'GET /web/certificate': [200, { source: 'user', details: 'subject=CN = router.example' }],
      'GET /changes': [200, []],
      'POST /web/certificate': [200, { certificate: 'factory' }],
    });
    const root = renderPage(systemPage, 'tab=misc');
    await until(() => root.querySelector('[name="wwan.data"]'));
    expect(root.querySelector('[name="wwan.apn"]')).toBeNull();
    await until(() => root.querySelector('[data-test=cert-now] pre'));
    expect(root.querySelector('[data-test=cert-now]')!.textContent).toContain('router.example');
    const src = root.querySelector('[data-test=cert-source]') as HTMLSelectElement;
    expect(src.value).toBe('user');
    expect((root.querySelector('[data-test=cert-upload]') as HTMLElement).hidden).toBe(false);
    src.value = 'factory';
    src.dispatchEvent(new Event('change'));
    expect((root.querySelector('[data-test=cert-upload]') as HTMLElement).hidden).toBe(true);
    (root.querySelector('[data-test=cert-save]') as HTMLButtonElement).click();
    await until(() => seen.some((r) => r.method === 'POST' && r.url === '/web/certificate'));
    expect(seen.find((r) => r.method === 'POST')!.body).toEqual({ factory: true });
  });

  it('formats a time in the router\'s zone whatever the browser\'s', () => {
    expect(routerTime(Date.UTC(2026, 0, 31, 23, 59, 59), 3600, 'CET')).toBe('2026-02-01 00:59:59 CET');
    expect(routerTime(Date.UTC(2026, 0, 1, 0, 0, 0), -18000, '')).toBe('2025-12-31 19:00:00');
  });
});
