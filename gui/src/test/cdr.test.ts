import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PAGES } from '../routes';
import { resetSchema } from '../schema';
import {
  base64Bytes, callLength, cdrPage, cdrQuery, fetchRecording, pageText, recordingBlob, RECORDINGS_HINT, type Piece,
} from '../pages/cdr';
import { telephony, telephonyPage, TODAY_MS, todayPlanner, todayText, type PbxDetail } from '../pages/telephony';
import { POLL_MS } from '../pages/pbx';
import { mockFetch, schema, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** base64 of n bytes counting from start (mod 256). */
function b64(n: number, start = 0): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode((start + i) & 255);
  return btoa(s);
}

describe('call lengths and paging', () => {
  it('minutes and seconds, hours when there are some', () => {
    expect(callLength(0)).toBe('0:00');
    expect(callLength(7)).toBe('0:07');
    expect(callLength(59.9)).toBe('0:59');
    expect(callLength(723)).toBe('12:03');
    expect(callLength(3723)).toBe('1:02:03');
    expect(callLength(undefined)).toBe('—');
    expect(callLength(-1)).toBe('—');
    expect(callLength(NaN)).toBe('—');
  });
  it('the query holds the filters given, trimmed, and the page', () => {
    expect(cdrQuery({}, 0)).toBe('limit=25&offset=0');
    expect(cdrQuery({ from: '2026-11-01', to: '', number: ' +971 ', disposition: 'NO ANSWER' }, 50)).toBe(
      'from=2026-11-01&number=%2B971&disposition=NO+ANSWER&limit=25&offset=50');
  });
  it('says which calls of how many a page shows', () => {
    expect(pageText(0, 0, 0)).toBe('No calls');
    expect(pageText(0, 25, 60)).toBe('1-25 of 60');
    expect(pageText(50, 10, 60)).toBe('51-60 of 60');
  });
});

describe('a recording in pieces', () => {
  it('base64 pieces join into one audio Blob of the whole size, bytes in order', async () => {
    const size = 2.5 * 1024 * 1024;
    const pieces: Piece[] = [0, 1, 2].map((i) => {
      const offset = i * 1048576, length = Math.min(1048576, size - offset);
      return { file: 'a.wav', size, offset, length, data: b64(length, offset) };
    });
    const blob = recordingBlob(pieces);
    expect(blob.size).toBe(size);
    expect(blob.type).toBe('audio/wav');
    const bytes = new Uint8Array(await blob.arrayBuffer());
    expect([bytes[0], bytes[1048576], bytes[size - 1]]).toEqual([0, 1048576 & 255, (size - 1) & 255]);
  });
  it('pieces that do not join, or stop short, are an error', () => {
    expect(() => recordingBlob([{ size: 10, offset: 0, data: b64(4) }, { size: 10, offset: 5, data: b64(5) }])).toThrow(/do not join \(byte 5, expected 4\)/);
    expect(() => recordingBlob([{ size: 10, offset: 0, data: b64(4) }])).toThrow(/cut short: 4 of 10 bytes/);
    expect(base64Bytes(b64(3, 250))).toEqual(new Uint8Array([250, 251, 252]));
  });
  it('is read from offset + length until the size', async () => {
    const asked: string[] = [];
    const blob = await fetchRecording('r-1.wav', async (path) => {
      asked.push(path);
      const offset = Number(new URLSearchParams(path.split('?')[1]).get('offset'));
      const length = Math.min(4, 10 - offset);
      return { file: 'r-1.wav', size: 10, offset, length, data: b64(length, offset) };
    });
    expect(blob.size).toBe(10);
    expect(asked).toEqual(['/pbx/recording?file=r-1.wav&offset=0', '/pbx/recording?file=r-1.wav&offset=4', '/pbx/recording?file=r-1.wav&offset=8']);
  });
});

const call = { time: '2026-11-29T10:00:00+0000', start: 1795946400, src: '1001', dst: '1002', duration: 12, billsec: 9, disposition: 'ANSWERED', trunk: null, recording: 'r-1.wav', uniqueid: '1.1' };
const missed = { ...call, start: 1795946300, src: '1002', dst: '1001', duration: 20, billsec: 0, disposition: 'NO ANSWER', recording: null, trunk: 'office' };

describe('PBX › Call Detail Records', () => {
  it('is in the PBX menu; the telephony dashboard in Dashboards', () => {
    expect(PAGES.find((p) => p.path === '/pbx/cdr')?.group).toBe('PBX');
    expect(PAGES.filter((p) => p.group === 'Dashboards').map((p) => p.path)).toEqual(['/dashboard', '/pbx/dashboard']);
  });

  it('the calls with their time, numbers, lengths and result; filters and paging ask the router', async () => {
    const { seen } = mockFetch({
      'GET /pbx/cdr?limit=25&offset=0': [200, { calls: [call, missed], total: 30, limit: 25, offset: 0 }],
      'GET /pbx/cdr?number=1002&disposition=NO+ANSWER&limit=25&offset=0': [200, { calls: [missed], total: 1 }],
      'GET /pbx/cdr?limit=25&offset=25': [200, { calls: Array(5).fill(missed), total: 30 }],
      'GET /config/cdr': [200, { retention_days: 90, recordings_retention_days: 30 }],
      'GET /config/pbx?running=1': [200, { udp_port: 6067 }],
    });
    const root = document.createElement('div');
    document.body.append(root);
    cdrPage.render({ root, query: new URLSearchParams(), onLeave: () => {} });
    await until(() => root.querySelectorAll('[data-test="call"]').length === 2);
    const rows = [...root.querySelectorAll('[data-test="call"]')];
    const cells = (r: Element) => [...r.querySelectorAll('td')].map((c) => c.textContent);
    expect(cells(rows[0]).slice(1)).toEqual(['1001', '1002', '0:12', '0:09', 'ANSWERED', '—', 'Play Download']);
    expect(cells(rows[0])[0]).toMatch(/^2026-11-29 \d\d:\d\d:00 \S+/);
    expect(cells(rows[1]).slice(1)).toEqual(['1002', '1001', '0:20', '0:00', 'NO ANSWER', 'office', '—']);
    expect(root.querySelector('[data-test="cdr-count"]')!.textContent).toBe('1-2 of 30');
    // the recordings on the router's own storage: the manual's hint
    await until(() => !root.querySelector<HTMLElement>('[data-test="recordings-hint"]')!.hidden);
    expect(root.querySelector('[data-test="recordings-hint"]')!.textContent).toBe(RECORDINGS_HINT);
    // the retention settings, the generic section form
    await until(() => root.querySelector('[name="cdr.retention_days"]'));

    root.querySelector<HTMLButtonElement>('[data-test="next"]')!.click();
    await until(() => root.querySelector('[data-test="cdr-count"]')!.textContent === '26-30 of 30');
    expect(root.querySelector<HTMLButtonElement>('[data-test="next"]')!.disabled).toBe(true);
    expect(root.querySelector<HTMLButtonElement>('[data-test="prev"]')!.disabled).toBe(false);

    root.querySelector<HTMLInputElement>('[data-test="filter-number"]')!.value = '1002';
    root.querySelector<HTMLSelectElement>('[data-test="filter-disposition"]')!.value = 'NO ANSWER';
    root.querySelector<HTMLButtonElement>('[data-test="search"]')!.click();
    await until(() => root.querySelector('[data-test="cdr-count"]')!.textContent === '1-1 of 1');
    expect(seen.filter((r) => r.url.startsWith('/pbx/cdr')).map((r) => r.url)).toEqual([
      '/pbx/cdr?limit=25&offset=0', '/pbx/cdr?limit=25&offset=25', '/pbx/cdr?number=1002&disposition=NO+ANSWER&limit=25&offset=0']);
  });

  it('no hint once the recordings go to a drive; a recording that cannot be read says why', async () => {
    mockFetch({
      'GET /pbx/cdr?limit=25&offset=0': [200, { calls: [call], total: 1 }],
      'GET /config/cdr': [200, {}],
      'GET /config/pbx?running=1': [200, { recordings_path: '/mnt/usb' }],
      'GET /pbx/recording?file=r-1.wav&offset=0': [404, { error: { code: 'not_found', message: 'file: no recording "r-1.wav" in /mnt/usb/asterisk_recordings' } }],
    });
    const root = document.createElement('div');
    document.body.append(root);
    cdrPage.render({ root, query: new URLSearchParams(), onLeave: () => {} });
    await until(() => root.querySelector('[data-test="play"]'));
    root.querySelector<HTMLButtonElement>('[data-test="play"]')!.click();
    const msg = root.querySelector<HTMLElement>('[data-test="player-banner"]')!;
    await until(() => !msg.hidden);
    expect(msg.textContent).toBe('Cannot get the recording r-1.wav: file: no recording "r-1.wav" in /mnt/usb/asterisk_recordings');
    expect(msg.getAttribute('role')).toBe('alert');
    expect(root.querySelector<HTMLElement>('[data-test="recordings-hint"]')!.hidden).toBe(true);
  });
});

const sample: PbxDetail = {
  wanted: true,
  engine: { running: true },
  contacts: {
    1001: [{ uri: 'sip:1001@192.168.1.50:5061', status: 'NonQualified', via: '192.168.1.50:5061', user_agent: 'sipp' }],
    1002: [{ uri: 'sip:1002@192.168.1.50:5070', status: 'Removed' }],
    1003: [{ uri: 'sip:1003@192.168.1.51:5060', status: 'Unavailable' }],
  },
  registrations: { office: { status: 'Registered', server: 'sip:10.0.0.2:5060' }, shop: { status: 'Rejected' } },
  calls: [
    { channel: 'PJSIP/1001-00000001', caller: '1001', callee: '1003', state: 'Up', leg: 'caller', seconds: 65 },
    { channel: 'PJSIP/1003-00000002', caller: '1003', callee: '1001', state: 'Up', leg: 'callee', seconds: 64 },
  ],
};
const exts = [{ number: '1001', name: 'Alice' }, { number: '1002', name: 'Bob' }, { number: '1003' }, { number: '1004', enabled: false }];
const trunks = [{ name: 'office', authentication: true }, { name: 'gw', authentication: false }, { name: 'old', enabled: false }];

describe('the telephony dashboard', () => {
  it('counts the registered of the enabled extensions, one call per caller, each trunk\'s state', () => {
    const t = telephony(sample, exts, trunks);
    expect([t.registered.length, t.extensions]).toEqual([2, 3]);
    expect(t.registered.map((r) => [r.number, r.name, r.where])).toEqual([['1001', 'Alice', '192.168.1.50:5061 (sipp)'], ['1003', '', '192.168.1.51:5060']]);
    expect(t.calls).toEqual([{ channel: 'PJSIP/1001-00000001', caller: '1001', callee: '1003', state: 'Up', seconds: 65 }]);
    expect(t.trunks).toEqual([
      { name: 'gw', text: 'No registration (reached by its address)', tone: 'unknown' },
      { name: 'office', text: 'Registered', tone: 'ok' },
      { name: 'old', text: 'Disabled', tone: 'unknown' },
      { name: 'shop', text: 'Rejected', tone: 'failed' },
    ]);
    expect(t.running).toBe(true);
    expect(telephony(null)).toEqual({ running: false, extensions: 0, registered: [], trunks: [], calls: [] });
    expect(todayText({ total: 5, answered: 3, unanswered: 2 })).toBe('3 answered, 2 not answered');
    expect(todayText(null)).toBe('—');
  });

  it('today\'s count is read first, when the calls up change (and once more), and every 30 s', () => {
    const want = todayPlanner();
    const one = [{ channel: 'PJSIP/1001-1' }];
    expect([want([], 0), want([], 3000), want([], 6000)]).toEqual([true, true, false]);
    expect([want(one, 9000), want(one, 12000), want(one, 15000)]).toEqual([true, true, false]);
    expect([want([], 18000), want([], 21000), want([], 24000)]).toEqual([true, true, false]);
    expect([want([], 21000 + TODAY_MS - 1), want([], 21000 + TODAY_MS)]).toEqual([false, true]);
  });

  it('reads the status every 3 s, today\'s calls when the calls change, the call\'s time ticks, all stops on leaving', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let detail: PbxDetail = sample;
    let today = { since: 0, total: 4, answered: 3, unanswered: 1 };
    const { seen } = mockFetch({
      'GET /status': () => [200, { features: { pbx: { state: 'ok', detail } } }],
      'GET /pbx/calls-today': () => [200, today],
      'GET /config/extensions/list?running=1': [200, exts],
      'GET /config/trunks/list?running=1': [200, trunks],
    });
    const leave: (() => void)[] = [];
    const root = document.createElement('div');
    document.body.append(root);
    telephonyPage.render({ root, query: new URLSearchParams(), onLeave: (fn) => leave.push(fn) });
    const text = (t: string) => root.querySelector(`[data-test="${t}"]`)!.textContent;
    await until(() => text('tel-registered') === '2 of 3');
    expect(text('tel-calls-count')).toBe('1');
    expect(text('tel-today')).toBe('4');
    expect(text('tel-today-detail')).toBe('3 answered, 1 not answered');
    const row = root.querySelector<HTMLElement>('[data-test="tel-call"]')!;
    expect([row.dataset.caller, row.dataset.callee]).toEqual(['1001', '1003']);
    expect(text('tel-call-time')).toBe('1:05');
    await vi.advanceTimersByTimeAsync(2000);
    expect(text('tel-call-time')).toBe('1:07');
    const reads = (u: string) => seen.filter((r) => r.url === u).length;
    await vi.advanceTimersByTimeAsync(POLL_MS * 2);
    const [st, td] = [reads('/status'), reads('/pbx/calls-today')];
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect([reads('/status'), reads('/pbx/calls-today')]).toEqual([st + 1, td]);
    // the call ends: gone from the table, today's count read again
    detail = { ...sample, calls: [] };
    today = { since: 0, total: 5, answered: 4, unanswered: 1 };
    await vi.advanceTimersByTimeAsync(POLL_MS);
    await until(() => text('tel-today') === '5');
    expect(text('tel-calls-count')).toBe('0');
    expect(root.querySelector('[data-test="tel-call"]')).toBeNull();
    leave.forEach((fn) => fn());
    const after = seen.length;
    await vi.advanceTimersByTimeAsync(TODAY_MS * 2);
    expect(seen.length).toBe(after);
  });
});
