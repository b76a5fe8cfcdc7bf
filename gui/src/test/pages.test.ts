import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openChanges, pill, refreshChanges } from '../pill';
import { resetSchema } from '../schema';
import { collectionTable } from '../table';
import { sectionForm } from '../section';
import { dashboardPage, memoryUse } from '../pages/dashboard';
import { historyPage, runningOf } from '../pages/history';
import { passwordProblem } from '../pages/setup';
import { mockFetch, renderPage, schema, type, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

const changes = [
  { op: 'modified', path: 'lan.dhcp.start', old: '192.168.1.100', new: '192.168.1.50' },
  { op: 'added', path: 'dhcp.static_leases[1]', new: { id: 1, mac: 'aa:bb:cc:dd:ee:01', ip: '192.168.1.20' } },
];

describe('pending-changes pill', () => {
  it('shows the count, hides at zero', async () => {
    mockFetch({ 'GET /changes': [200, changes] });
    await refreshChanges();
    expect(pill.hidden).toBe(false);
    expect(pill.textContent).toBe('2');
    expect(pill.getAttribute('aria-label')).toBe('2 unsaved changes');
    mockFetch({ 'GET /changes': [200, []] });
    await refreshChanges();
    expect(pill.hidden).toBe(true);
  });

  it('opens the "Unsaved changes" dialog with one row per change; Discard drops them', async () => {
    mockFetch({ 'GET /changes': [200, changes], 'GET /config': [200, { dhcp: { static_leases: [{ id: 1, mac: 'aa:bb:cc:dd:ee:01', ip: '192.168.1.20', name: 'printer' }] } }] });
    await refreshChanges();
    document.body.append(pill);
    pill.click();
    const dlg = document.querySelector<HTMLDialogElement>('[data-test=changes-dialog]')!;
    await until(() => dlg.querySelector('[data-test=change]')?.textContent?.includes('Pool start'));
    expect(dlg).not.toBeNull();
    expect(dlg.querySelector('h2')!.textContent).toBe('Unsaved changes');
    expect(dlg.getAttribute('aria-labelledby')).toBe(dlg.querySelector('h2')!.id);
    const rows = [...dlg.querySelectorAll('[data-test=change]')].map((r) => r.textContent);
    expect(rows[0]).toContain('LAN › DHCP server › Pool start');
    expect(rows[0]).toContain('192.168.1.100');
    // entries by their name, never by their internal id
    expect(rows[1]).toContain('“printer”');
    expect(rows[1]).not.toContain('[1]');
    expect(rows[1]).not.toMatch(/\bid\b/);
    expect(rows[0]).toContain('192.168.1.50');
    expect(dlg.querySelector('[data-test=apply]')).not.toBeNull();
    const { seen } = mockFetch({ 'GET /changes': [200, []], 'DELETE /changes': [200, { discarded: 2 }] });
    dlg.querySelector<HTMLButtonElement>('[data-test=discard]')!.click();
    await until(() => !document.querySelector('[data-test=changes-dialog]'));
    expect(pill.hidden).toBe(true);
    expect(seen.some((r) => r.method === 'DELETE' && r.url === '/changes')).toBe(true);
  });

  it('closes on Escape', async () => {
    mockFetch({ 'GET /changes': [200, changes] });
    await refreshChanges();
    openChanges();
    const dlg = document.querySelector('[data-test=changes-dialog]')!;
    dlg.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(document.querySelector('[data-test=changes-dialog]')).toBeNull();
  });
});

describe('settings card', () => {
  it('loads the staged value, PATCHes the changed fields and updates the pill', async () => {
    const lan = { device: 'br-lan', interfaces: ['lan0'], ipv4: { address: '192.168.1.1', prefix: 24 }, dhcp: { enabled: true, start: '192.168.1.100', size: 150, lease_time: '12h', authoritative: true } };
    const { seen } = mockFetch({
      'GET /config/lan': [200, lan],
      'PATCH /config/lan/dhcp': [200, { staged: true }],
      'GET /changes': [200, [changes[0]]],
    });
    const card = sectionForm('lan');
    document.body.append(card);
    await until(() => card.querySelector('[name="lan.dhcp.start"]'));
    type(card.querySelector<HTMLInputElement>('[name="lan.dhcp.start"]')!, '192.168.1.50');
    card.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => card.querySelector('[data-test=banner]:not([hidden])')?.textContent?.startsWith('Saved'));
    const p = seen.find((s) => s.method === 'PATCH')!;
    expect(p.url).toBe('/config/lan/dhcp');
    expect(p.body).toEqual({ start: '192.168.1.50' });
    expect(pill.textContent).toBe('1');
  });

  it('blocks Save while a field is invalid', async () => {
    const { seen } = mockFetch({ 'GET /config/dns': [200, { domain: 'lan', upstreams: [], hijack: false, rebind_protection: true, cache_size: 1000 }] });
    const card = sectionForm('dns');
    document.body.append(card);
    await until(() => card.querySelector('[name="dns.upstreams"]'));
    type(card.querySelector<HTMLInputElement>('[name="dns.upstreams"]')!, '1.1.1.1, 300.1.1.1');
    card.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    expect(card.querySelector('[data-test="error-dns.upstreams"]')!.textContent).toMatch(/300\.1\.1\.1/);
    expect(seen.filter((s) => s.method !== 'GET')).toEqual([]);
  });

  it('shows a server error on its field', async () => {
    mockFetch({
      'GET /config/lan': [200, { ipv4: { address: '192.168.1.1', prefix: 24 }, dhcp: { start: '192.168.1.100', size: 150 } }],
      'PATCH /config/lan/dhcp': [422, { error: { code: 'invalid', message: 'lan.dhcp.start: 10.0.0.5 is outside 192.168.1.0/24', path: 'lan.dhcp.start', value: '10.0.0.5' } }],
      'GET /changes': [200, []],
    });
    const card = sectionForm('lan');
    document.body.append(card);
    await until(() => card.querySelector('[name="lan.dhcp.start"]'));
    type(card.querySelector<HTMLInputElement>('[name="lan.dhcp.start"]')!, '10.0.0.5');
    card.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => card.querySelector('[data-test="error-lan.dhcp.start"]')!.textContent);
    expect(card.querySelector('[data-test="error-lan.dhcp.start"]')!.textContent).toBe('10.0.0.5 is outside 192.168.1.0/24');
  });
});

describe('collection table', () => {
  it('lists entries; Add POSTs the entry form; Delete deletes by id', async () => {
    const { seen } = mockFetch({
      'GET /config/dhcp/static_leases': [200, [{ id: 3, name: 'Printer', mac: 'aa:bb:cc:dd:ee:01', ip: '192.168.1.20', lease_time: 'infinite' }]],
      'POST /config/dhcp/static_leases': [201, { id: 4 }],
      'DELETE /config/dhcp/static_leases/3': [200, { staged: true }],
      'GET /changes': [200, []],
    });
    const card = collectionTable('dhcp.static_leases', { noun: 'static lease', columns: ['name', 'mac', 'ip'] });
    document.body.append(card);
    await until(() => card.querySelector('[data-test=entry-3]'));
    expect(card.querySelector('[data-test=entry-3]')!.textContent).toContain('aa:bb:cc:dd:ee:01');
    expect([...card.querySelectorAll('th')].map((t) => t.textContent)).toEqual(['Name', 'MAC address', 'IPv4 address', 'Actions']);

    card.querySelector<HTMLButtonElement>('[data-test=add]')!.click();
    const dlg = document.querySelector<HTMLDialogElement>('[data-test=entry-dialog]')!;
    type(dlg.querySelector<HTMLInputElement>('[name="dhcp.static_leases.mac"]')!, 'aa:bb:cc:dd:ee:02');
    type(dlg.querySelector<HTMLInputElement>('[name="dhcp.static_leases.ip"]')!, '192.168.1.21');
    dlg.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => seen.some((s) => s.method === 'POST'));
    expect(seen.find((s) => s.method === 'POST')!.body).toEqual({ mac: 'aa:bb:cc:dd:ee:02', ip: '192.168.1.21' });
    await until(() => !document.querySelector('[data-test=entry-dialog]'));

    await until(() => card.querySelector('[data-test=entry-3] [data-test=delete]'));
    card.querySelector<HTMLButtonElement>('[data-test=entry-3] [data-test=delete]')!.click();
    await until(() => seen.some((s) => s.method === 'DELETE'));
    expect(seen.find((s) => s.method === 'DELETE')!.url).toBe('/config/dhcp/static_leases/3');
  });
});

describe('dashboard', () => {
  it('fills the cards from GET /dashboard and marks the update', async () => {
    vi.stubGlobal('WebSocket', class { close() {} onclose = null; constructor() {} });
    mockFetch({
      'GET /dashboard': [200, {
        system: { hostname: 'difos', uptime: 3720, load: [0.1, 0.2, 0.3], memory: { total: 1000, free: 500, buffers: 100 }, revision: 4 },
        interfaces: [{ name: 'br-lan', role: 'lan', state: 'UP', mac: '02:00:00:00:00:01', addresses: [{ family: 'inet', address: '192.168.1.1', prefix: 24 }] }],
        leases: { active: [{ mac: 'aa:bb:cc:dd:ee:01', ip: '192.168.1.20', hostname: 'printer', expires: 0 }], static: [] },
        lan_clients: 1, revision: 4, pending_changes: 0,
      }],
      'GET /changes': [200, []],
    });
    const root = document.createElement('div');
    const leave: (() => void)[] = [];
    dashboardPage.render({ root, query: new URLSearchParams(), onLeave: (f) => leave.push(f) });
    const dash = root.querySelector<HTMLElement>('[data-test=dashboard]')!;
    await until(() => dash.dataset.updated);
    expect(root.querySelector('[data-test=hostname]')!.textContent).toBe('difos');
    expect(root.querySelector('[data-test=uptime]')!.textContent).toBe('1h 2m');
    expect(root.querySelector('[data-test=memory]')!.textContent).toContain('40%');
    expect(root.querySelector('[data-test=lan-clients]')!.textContent).toBe('1');
    expect(root.querySelector('[data-test=lease-count]')!.textContent).toBe('1 active');
    expect(root.querySelector('[data-test="iface-br-lan"]')!.textContent).toContain('192.168.1.1/24');
    leave.forEach((f) => f());
  });
  it('computes memory use', () => {
    expect(memoryUse({ total: 200, free: 50, buffers: 50 })).toBe(50);
    expect(memoryUse({})).toBeNull();
  });
});

describe('small rules', () => {
  it('new passwords: 8 to 128 characters, typed twice', () => {
    expect(passwordProblem('short', 'short')!.field).toBe('password');
    expect(passwordProblem('x'.repeat(129), 'x'.repeat(129))!.field).toBe('password');
    expect(passwordProblem('long enough', 'long enougH')!.field).toBe('again');
    expect(passwordProblem('long enough', 'long enough')).toBeNull();
  });
  it('the running revision comes from /status, else the newest applied', () => {
    const revs = [{ id: 3, state: 'reverted' }, { id: 2, state: 'applied' }, { id: 1, state: 'applied' }];
    expect(runningOf(revs, { running: 1 })).toBe(1);
    expect(runningOf(revs)).toBe(2);
  });
});

describe('history page', () => {
  it('shows which revisions are pinned and pins one with a click', async () => {
    let revs = [
      { id: 3, time: 1, author: 'a', comment: 'c', state: 'applied', pinned: false },
      { id: 2, time: 1, author: 'a', comment: 'b', state: 'applied', pinned: true },
    ];
    const { seen } = mockFetch({
      'GET /history': () => [200, revs],
      'GET /status': [200, { running: 3 }],
      'POST /pin': (req) => {
        const b = req.body as { revision: number; pinned: boolean };
        revs = revs.map((r) => (r.id === b.revision ? { ...r, pinned: b.pinned } : r));
        return [200, b];
      },
    });
    const root = renderPage(historyPage);
    await until(() => root.querySelector('[data-test=pin-3]'));
    const pin3 = root.querySelector<HTMLButtonElement>('[data-test=pin-3]')!;
    expect(pin3.getAttribute('aria-pressed')).toBe('false');
    expect(root.querySelector('[data-test=pin-2]')!.getAttribute('aria-pressed')).toBe('true');
    expect(root.querySelector('[data-test=pin-2]')!.textContent).toBe('Pinned');
    pin3.click();
    await until(() => root.querySelector('[data-test=pin-3]')?.getAttribute('aria-pressed') === 'true');
    expect(seen.find((r) => r.method === 'POST')).toMatchObject({ url: '/pin', body: { revision: 3, pinned: true } });
  });
});
