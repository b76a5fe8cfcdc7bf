import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { allowedFor, blockedQuery, clampOffset, ipsPage, liveText, paging, timeLeft, TIP, type IpsBan } from '../pages/ips';
import { resetSchema } from '../schema';
import { mockFetch, renderPage, schema, type, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

const EVIL = '<img src=x onerror=alert(1)>';

function ban(over: Partial<IpsBan> = {}): IpsBan {
  return { key: '198.51.100.77/32', address: '198.51.100.77', service: 'ssh', reason: 'bad password',
    line: 'Failed password for root from 198.51.100.77 port 4242 ssh2', banned: 1700000000, expires: 1700003600, left: 3540, ...over };
}

describe('intrusion prevention helpers', () => {
  it('words the time a ban has left', () => {
    expect(timeLeft(undefined)).toBe('—');
    expect(timeLeft(0)).toBe('ending');
    expect(timeLeft(-3)).toBe('ending');
    expect(timeLeft(42)).toBe('42s');
    expect(timeLeft(3599)).toBe('59m 59s');
    expect(timeLeft(3600)).toBe('1h 0m');
    expect(timeLeft(90061)).toBe('1d 1h 1m');
  });

  it('pages the blocked list 100 at a time', () => {
    expect(paging(0, 0)).toEqual({ range: '', count: '0 banned', prev: null, next: null });
    expect(paging(100, 0)).toEqual({ range: '1–100 of 100', count: '100 banned', prev: null, next: null });
    expect(paging(250, 0)).toEqual({ range: '1–100 of 250', count: '250 banned', prev: null, next: 100 });
    expect(paging(250, 100)).toEqual({ range: '101–200 of 250', count: '250 banned', prev: 0, next: 200 });
    expect(paging(250, 200)).toEqual({ range: '201–250 of 250', count: '250 banned', prev: 100, next: null });
    expect(paging(100000, 99900)).toEqual({ range: '99,901–100,000 of 100,000', count: '100,000 banned', prev: 99800, next: null });
    // an offset past the end shows the last page
    expect(paging(150, 900).range).toBe('101–150 of 150');
    expect(clampOffset(150, 200)).toBe(100);
    expect(clampOffset(150, 100)).toBe(100);
    expect(clampOffset(0, 300)).toBe(0);
    expect(clampOffset(200, 200)).toBe(100);
  });

  it('asks for one page, searched and filtered', () => {
    expect(blockedQuery({ offset: 0 })).toBe('/ips/blocked?offset=0&limit=100');
    expect(blockedQuery({ offset: 200, search: ' 2001:db8 ', service: 'manual' }))
      .toBe('/ips/blocked?offset=200&limit=100&search=2001%3Adb8&service=manual');
  });

  it('allows an IPv4 address, or the IPv6 prefix that was banned', () => {
    expect(allowedFor(ban())).toBe('198.51.100.77');
    expect(allowedFor(ban({ key: '2001:db8:1:2::/64', address: '2001:db8:1:2::99' }))).toBe('2001:db8:1:2::/64');
  });

  it('says which logs are read, the failures and the bans', () => {
    expect(liveText(undefined)).toBe('Intrusion prevention is off: select a service and apply.');
    expect(liveText({ services: [] })).toMatch(/is off/);
    expect(liveText({ services: ['ssh', 'gui'], failures: 1, bans: 2, sources: { ssh: { log: 'journal' }, gui: { log: '/run/difos/auth.log', open: true } }, reader: { running: true } }))
      .toBe('Reading SSH: the systemd journal; Difos GUI: /run/difos/auth.log. 1 failed login seen, 2 banned now.');
    expect(liveText({ services: ['ssh'], failures: 0, bans: 0, sources: {} })).toBe('Reading SSH: no log found. 0 failed logins seen, 0 banned now.');
    expect(liveText({ services: ['asterisk'], failures: 0, bans: 0, sources: { asterisk: { log: '/var/log/asterisk/security', open: false } }, reader: { running: false } }))
      .toBe('Reading Asterisk: /var/log/asterisk/security (not there yet). 0 failed logins seen, 0 banned now. The log reader is not running.');
  });
});

const lists = (bans: IpsBan[], total = bans.length, extra: Record<string, unknown> = {}) => mockFetch({
  'GET /ips/blocked?offset=0&limit=100': [200, { total, bans }],
  'GET /config/ips/allowed': [200, []],
  'GET /changes': [200, []],
  ...extra,
} as never);

describe('Intrusion Prevention page', () => {
  it('shows the General form with the services as checkboxes and the live line', async () => {
    mockFetch({
      'GET /config/ips': [200, { services: ['ssh'], ban_time: '1h', max_retries: 5 }],
      'GET /status': [200, { features: { ips: { detail: { services: ['ssh'], failures: 3, bans: 1, sources: { ssh: { log: 'journal' } } } } } }],
    });
    const root = renderPage(ipsPage);
    await until(() => root.querySelector('[data-test="picker-ips.services"]'));
    const boxes = [...root.querySelectorAll<HTMLInputElement>('[data-test="picker-ips.services"] input[type=checkbox]')];
    expect(boxes.map((b) => [b.value, b.checked])).toEqual([['ssh', true], ['asterisk', false], ['gui', false]]);
    expect(root.querySelector('[data-test="picker-ips.services"]')!.textContent).toContain('Difos GUI');
    await until(() => root.querySelector('[data-test=ips-live]')?.textContent?.startsWith('Reading'));
    expect(root.querySelector('[data-test=ips-live]')!.textContent).toBe('Reading SSH: the systemd journal. 3 failed logins seen, 1 banned now.');
  });

  it('puts a ban\'s log line and reason in as text: markup in them makes no element', async () => {
    lists([ban({ line: `Failed password for ${EVIL} from 198.51.100.77 port 22 ssh2`, reason: EVIL })]);
    const root = renderPage(ipsPage, 'tab=lists');
    await until(() => root.querySelector('[data-test=ips-ban]'));
    const row = root.querySelector<HTMLElement>('[data-test=ips-ban]')!;
    expect(root.querySelector('img')).toBeNull();
    expect(document.querySelector('img')).toBeNull();
    expect(row.querySelector('pre')!.textContent).toBe(`Failed password for ${EVIL} from 198.51.100.77 port 22 ssh2`);
    expect(row.querySelector('pre')!.children.length).toBe(0);
    expect(row.querySelector('[data-test=ips-reason]')!.textContent).toBe(EVIL);
    expect(row.querySelector('[data-test=ips-reason]')!.children.length).toBe(0);
  });

  it('lists the bans with service, reason, time left, the line on demand, and the tip', async () => {
    lists([ban(), ban({ key: '2001:db8:1:2::/64', address: '2001:db8:1:2::99', service: 'manual', reason: 'banned by hand', line: '', left: 59 })]);
    const root = renderPage(ipsPage, 'tab=lists');
    await until(() => root.querySelectorAll('[data-test=ips-ban]').length === 2);
    const [a, b] = [...root.querySelectorAll<HTMLElement>('[data-test=ips-ban]')];
    expect(a.querySelector('[data-test=ips-address]')!.textContent).toBe('198.51.100.77');
    expect(a.querySelector('[data-test=ips-service]')!.textContent).toBe('SSH');
    expect(a.querySelector('[data-test=ips-left]')!.textContent).toBe('59m 0s');
    expect(a.querySelector('details')!.open).toBe(false);
    expect(b.dataset.service).toBe('manual');
    expect(b.querySelector('[data-test=ips-address]')!.textContent).toBe('2001:db8:1:2::/64 (2001:db8:1:2::99)');
    expect(b.querySelector('[data-test=ips-service]')!.textContent).toBe('Manual');
    expect(b.querySelector('details')).toBeNull();
    expect(root.querySelector('[data-test=ips-count]')!.textContent).toBe('2 banned');
    await until(() => root.querySelector('[data-test="table-ips.allowed"]')?.textContent?.includes('Acrobits'));
    expect(root.querySelector('[data-test="table-ips.allowed"]')!.textContent).toContain(TIP);
  });

  it('Delete lifts the ban and reads the list again', async () => {
    let gone = false;
    const m = mockFetch({
      'GET /ips/blocked?offset=0&limit=100': () => [200, gone ? { total: 0, bans: [] } : { total: 1, bans: [ban()] }],
      'POST /ips/unban': () => {
        gone = true;
        return [200, { address: '198.51.100.77/32', removed: 1 }];
      },
      'GET /config/ips/allowed': [200, []],
    });
    const root = renderPage(ipsPage, 'tab=lists');
    await until(() => root.querySelector('[data-test=ips-delete]'));
    root.querySelector<HTMLButtonElement>('[data-test=ips-delete]')!.click();
    await until(() => root.querySelector('[data-test=ips-blocked]')?.textContent?.includes('No address is banned.'));
    expect(m.seen.find((s) => s.method === 'POST')!.body).toEqual({ address: '198.51.100.77/32' });
    expect(root.querySelector('[data-test=ips-banner]')!.textContent).toBe('The ban of 198.51.100.77/32 is lifted; it may be banned again.');
    expect(m.seen.some((s) => s.url.startsWith('/config') && s.method !== 'GET')).toBe(false);
  });

  it('Allow stages the address on the allowed list and lifts the ban now', async () => {
    const allowed: unknown[] = [];
    const m = mockFetch({
      'GET /ips/blocked?offset=0&limit=100': () => [200, allowed.length ? { total: 0, bans: [] } : { total: 1, bans: [ban()] }],
      'POST /config/ips/allowed': (req) => {
        allowed.push({ id: 1, ...(req.body as object) });
        return [200, { id: 1 }];
      },
      'POST /ips/unban': [200, { address: '198.51.100.77/32', removed: 1 }],
      'GET /config/ips/allowed': () => [200, allowed],
      'GET /changes': () => [200, allowed.length ? [{ op: 'added', path: 'ips.allowed[1]', new: allowed[0] }] : []],
    });
    const root = renderPage(ipsPage, 'tab=lists');
    await until(() => root.querySelector('[data-test=ips-allow]'));
    root.querySelector<HTMLButtonElement>('[data-test=ips-allow]')!.click();
    await until(() => root.querySelector('[data-test=ips-banner]')?.textContent?.includes('is allowed'));
    expect(root.querySelector('[data-test=ips-banner]')!.textContent)
      .toBe('198.51.100.77 is allowed once you apply; its ban is lifted now. 1 unsaved change: apply from the red pill next to the title.');
    const posts = m.seen.filter((s) => s.method === 'POST');
    expect(posts.map((s) => [s.url, s.body])).toEqual([
      ['/config/ips/allowed', { address: '198.51.100.77', description: 'from the blocked list' }],
      ['/ips/unban', { address: '198.51.100.77/32' }],
    ]);
    await until(() => root.querySelector('[data-test="collection-ips.allowed"]')?.textContent?.includes('198.51.100.77'));
    await until(() => root.querySelector('[data-test=ips-blocked]')?.textContent?.includes('No address is banned.'));
  });

  it('pages with Next and Prev, and searches from the first page', async () => {
    const m = mockFetch({
      'GET /ips/blocked?offset=0&limit=100': [200, { total: 250, bans: [ban()] }],
      'GET /ips/blocked?offset=100&limit=100': [200, { total: 250, bans: [ban({ key: '203.0.113.5/32', address: '203.0.113.5' })] }],
      'GET /ips/blocked?offset=0&limit=100&search=203.0': [200, { total: 1, bans: [ban({ key: '203.0.113.5/32', address: '203.0.113.5' })] }],
      'GET /ips/blocked?offset=0&limit=100&service=manual': [200, { total: 0, bans: [] }],
      'GET /config/ips/allowed': [200, []],
    });
    const root = renderPage(ipsPage, 'tab=lists');
    const range = () => root.querySelector('[data-test=ips-range]')?.textContent;
    await until(() => range() === '1–100 of 250');
    const prev = root.querySelector<HTMLButtonElement>('[data-test=ips-prev]')!;
    const next = root.querySelector<HTMLButtonElement>('[data-test=ips-next]')!;
    expect(prev.disabled).toBe(true);
    next.click();
    await until(() => range() === '101–200 of 250');
    expect(root.querySelector('[data-test=ips-address]')!.textContent).toBe('203.0.113.5');
    expect(prev.disabled).toBe(false);
    prev.click();
    await until(() => range() === '1–100 of 250');
    next.click();
    await until(() => range() === '101–200 of 250');
    type(root.querySelector<HTMLInputElement>('[data-test=ips-search]')!, '203.0');
    await until(() => range() === '1–1 of 1');
    expect(root.querySelector('[data-test=ips-count]')!.textContent).toBe('1 banned');
    type(root.querySelector<HTMLInputElement>('[data-test=ips-search]')!, '');
    const sel = root.querySelector<HTMLSelectElement>('[data-test=ips-filter]')!;
    sel.value = 'manual';
    sel.dispatchEvent(new Event('change'));
    await until(() => root.querySelector('[data-test=ips-blocked]')?.textContent?.includes('No ban matches.'));
    expect(m.seen.some((s) => s.url === '/ips/blocked?offset=0&limit=100&service=manual')).toBe(true);
  });

  it('bans by hand, and shows the router\'s refusal under the address', async () => {
    let banned = false;
    const m = mockFetch({
      'GET /ips/blocked?offset=0&limit=100': () => [200, banned ? { total: 1, bans: [ban({ service: 'manual' })] } : { total: 0, bans: [] }],
      'POST /ips/ban': (req) => {
        const a = (req.body as { address: string }).address;
        if (a === '192.168.1.1')
          return [409, { error: { code: 'conflict', path: 'address', value: a, message: 'address: 192.168.1.1 is the router\'s own: it is never banned' } }];
        banned = true;
        return [200, { address: a, key: a + '/32', expires: 1700003600 }];
      },
      'GET /config/ips/allowed': [200, []],
    });
    const root = renderPage(ipsPage, 'tab=lists');
    await until(() => root.querySelector('[data-test=ips-ban-form]'));
    const form = root.querySelector<HTMLFormElement>('[data-test=ips-ban-form]')!;
    const addr = root.querySelector<HTMLInputElement>('[data-test=ips-ban-address]')!;
    const mins = root.querySelector<HTMLInputElement>('[data-test=ips-ban-minutes]')!;
    mins.value = 'ten';
    addr.value = '198.51.100.77';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(root.querySelector('[data-test=error-ips-ban-minutes]')!.textContent).toBe('minutes: ten is not a whole number from 1 to 525600');
    expect(m.seen.some((s) => s.method === 'POST')).toBe(false);
    addr.value = '192.168.1.1';
    mins.value = '';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await until(() => root.querySelector('[data-test=error-ips-ban-address]')?.textContent);
    expect(root.querySelector('[data-test=error-ips-ban-address]')!.textContent).toBe('address: 192.168.1.1 is the router\'s own: it is never banned');
    addr.value = '198.51.100.77';
    mins.value = '30';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await until(() => root.querySelector('[data-test=ips-ban]'));
    expect(m.seen.filter((s) => s.method === 'POST').map((s) => s.body)).toEqual([
      { address: '192.168.1.1' }, { address: '198.51.100.77', minutes: 30 }]);
    expect(root.querySelector('[data-test=ips-banner]')!.textContent).toMatch(/^198\.51\.100\.77\/32 is banned until /);
    expect(root.querySelector('[data-test=error-ips-ban-address]')!.textContent).toBe('');
    expect(addr.value).toBe('');
  });

  it('reads the list again every 5 s while the tab is shown, and stops once it is left', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const m = lists([ban()]);
      const root = renderPage(ipsPage, 'tab=lists');
      await until(() => root.querySelector('[data-test=ips-ban]'));
      const reads = () => m.seen.filter((s) => s.url.startsWith('/ips/blocked')).length;
      expect(reads()).toBe(1);
      vi.advanceTimersByTime(5000);
      expect(reads()).toBe(2);
      vi.advanceTimersByTime(5000);
      expect(reads()).toBe(3);
      root.querySelector<HTMLButtonElement>('[data-test=tab-general]')!.click();
      vi.advanceTimersByTime(15000);
      expect(reads()).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
