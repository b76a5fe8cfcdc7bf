import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildForm } from '../form';
import { GROUPS } from '../layout';
import {
  contactAddress, extensionsPage, MANAGER_WARNING, managerChanges, PASSWORD_ADVICE, pbxSettingsPage, POLL_MS, portChanges, registrationState,
  RESTART_WARNING, softphoneRows, softphoneUri,
} from '../pages/pbx';
import { PAGES } from '../routes';
import { resetSchema } from '../schema';
import { mockFetch, renderPage, schema, type, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const phone = { uri: 'sip:1001@192.168.1.10:5060;transport=udp', status: 'Reachable', user_agent: 'MicroSIP/3.21', via: '192.168.1.10:5060' };

describe('registration state', () => {
  it('says Not registered without a contact, Disabled for a disabled extension', () => {
    expect(registrationState({ number: '1001' }, {})).toEqual({ state: 'unregistered', text: 'Not registered' });
    expect(registrationState({ number: '1001' }, null)).toEqual({ state: 'unregistered', text: 'Not registered' });
    expect(registrationState({ number: '1001', enabled: false }, { 1001: [phone] })).toEqual({ state: 'disabled', text: 'Disabled' });
  });
  it("names the contact's address and user agent, every one of them", () => {
    expect(registrationState({ number: '1001' }, { 1001: [phone] }).text).toBe('Registered: 192.168.1.10:5060 (MicroSIP/3.21)');
    const two = registrationState({ number: '1001' }, { 1001: [phone, { uri: 'sip:1001@10.0.0.7:40000', status: 'NonQualified' }] });
    expect(two).toEqual({ state: 'registered', text: 'Registered: 192.168.1.10:5060 (MicroSIP/3.21); 10.0.0.7:40000' });
  });
  it('only the extension\'s own contacts count; removed ones do not', () => {
    expect(registrationState({ number: '1002' }, { 1001: [phone] }).text).toBe('Not registered');
    expect(registrationState({ number: '1001' }, { 1001: [{ ...phone, status: 'Removed' }] }).text).toBe('Not registered');
  });
  it('a contact that stopped answering its checks is told apart', () => {
    expect(registrationState({ number: '1001' }, { 1001: [{ ...phone, status: 'Unavailable' }] })).toEqual({
      state: 'unreachable', text: 'Registered, not answering: 192.168.1.10:5060 (MicroSIP/3.21)' });
  });
  it('the address comes from the URI when there is no Via', () => {
    expect(contactAddress({ uri: 'sip:1001@[2001:db8::5]:5061;transport=tls' })).toBe('[2001:db8::5]:5061');
    expect(contactAddress({ uri: '<sips:1001@example.org>' })).toBe('example.org');
    expect(contactAddress({ uri: 'sip:192.168.1.20:5060', via: ':' })).toBe('192.168.1.20:5060');
  });
});

describe('port changes', () => {
  const run = { udp_port: 6067, tcp_port: 6068, tls_port: 6069 };
  it('none while the ports are the running ones (an empty field is the default)', () => {
    expect(portChanges(run, { udp_port: '6067', tcp_port: '6068', tls_port: '6069' })).toEqual([]);
    expect(portChanges({}, { udp_port: '', tcp_port: '6068' })).toEqual([]);
  });
  it('each port that differs, from and to', () => {
    expect(portChanges(run, { udp_port: '5060', tcp_port: '6068', tls_port: 5061 })).toEqual([
      { key: 'udp_port', transport: 'UDP', from: 6067, to: 5060 },
      { key: 'tls_port', transport: 'TLS', from: 6069, to: 5061 },
    ]);
    expect(portChanges({ ...run, tcp_port: 7000 }, { tcp_port: '' })).toEqual([{ key: 'tcp_port', transport: 'TCP', from: 7000, to: 6068 }]);
  });
  it('a value being typed that is no port yet is no change', () => {
    expect(portChanges(run, { udp_port: '60a' })).toEqual([]);
    expect(portChanges(run, { udp_port: '70000' })).toEqual([]);
  });
});

describe('softphone settings', () => {
  const ext = { id: 1, name: 'Desk', number: '1001', codecs: ['opus', 'ulaw'], srtp: 'optional' };
  const rows = (r: [string, string, string][]) => Object.fromEntries(r.map(([, v, k]) => [k, v]));
  it('the server, the three ports, the extension number as both user names, no password', () => {
    const r = rows(softphoneRows(ext, { address: '192.168.1.1', hostname: 'difos', ports: { udp_port: 6067, tcp_port: 6068, tls_port: 6069 } }));
    expect(r.server).toBe("192.168.1.1 (or the router's name: difos)");
    expect([r['port-tls'], r['port-tcp'], r['port-udp']]).toEqual(['6069', '6068', '6067']);
    expect(r.proxy).toBe('192.168.1.1:6069');
    expect(r.rtp).toBe('20000-30000');
    expect(r.username).toBe('1001');
    expect(r['auth-username']).toBe('1001');
    expect(r.password).toBe('the one set for this extension (not shown)');
    expect(r.srtp).toBe('Optional SRTP');
    expect(r.codecs).toBe('opus, ulaw');
  });
  it('a staged port that differs is named beside the running one', () => {
    const r = rows(softphoneRows(ext, { address: '10.0.0.1', ports: {}, staged: { tls_port: 5061 } }, (c) => c.toUpperCase()));
    expect(r['port-tls']).toBe('6069 (5061 once the changes are applied)');
    expect(r['port-udp']).toBe('6067');
    expect(r.codecs).toBe('OPUS, ULAW');
  });
});

const ext1 = { id: 1, name: 'Desk', number: '1001', password: '********', recording: true, codecs: ['ulaw', 'alaw'], srtp: 'optional', enabled: true };
const ext2 = { id: 2, name: 'Lobby', number: '1002', password: '********', recording: false, enabled: false };
const status = (contacts: unknown) => [200, { features: { pbx: { state: 'ok', detail: { contacts } } } }] as [number, unknown];

describe('PBX › Extensions', () => {
  it('is in the PBX menu group with Settings', () => {
    expect(GROUPS).toContain('PBX');
    expect(PAGES.filter((p) => p.group === 'PBX').map((p) => p.path)).toEqual(['/pbx/extensions', '/pbx/trunks', '/pbx/routing', '/pbx/cdr', '/pbx/blocklist', '/pbx/settings']);
  });

  it('"Create New Extension", the rows with registration and recording, live from the status every 3 s, until the page is left', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let contacts: unknown = {};
    const { seen } = mockFetch({
      'GET /config/extensions/list': [200, [ext1, ext2]],
      'GET /status': () => status(contacts),
    });
    const leave: (() => void)[] = [];
    const root = document.createElement('div');
    document.body.append(root);
    extensionsPage.render({ root, query: new URLSearchParams(), onLeave: (fn) => leave.push(fn) });
    await until(() => root.querySelector('[data-test="entry-1"]'));
    expect(root.querySelector('[data-test="add"]')!.textContent).toBe('Create New Extension');
    const cells = () => [...root.querySelectorAll('[data-test="registration"]')].map((c) => c.textContent);
    const row1 = root.querySelector('[data-test="entry-1"]')!;
    expect(row1.textContent).toContain('Desk');
    expect(row1.textContent).toContain('1001');
    expect(row1.textContent).toContain('On');
    expect(root.querySelector('[data-test="entry-2"]')!.textContent).toContain('Off');
    expect(cells()).toEqual(['Not registered', 'Disabled']);
    const reads = () => seen.filter((r) => r.url === '/status').length;
    const before = reads();

    contacts = { 1001: [phone] };
    await vi.advanceTimersByTimeAsync(POLL_MS);
    await until(() => cells()[0] !== 'Not registered');
    expect(reads()).toBe(before + 1);
    expect(cells()).toEqual(['Registered: 192.168.1.10:5060 (MicroSIP/3.21)', 'Disabled']);
    expect(root.querySelector('[data-test="registration"]')!.className).toContain('reg-registered');

    contacts = {};
    await vi.advanceTimersByTimeAsync(POLL_MS);
    await until(() => cells()[0] === 'Not registered');

    leave.forEach((fn) => fn());
    const after = reads();
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(reads()).toBe(after);
  });

  it('the password field: write-only, the manual\'s advice as help, the router\'s refusal at the field', async () => {
    const { seen } = mockFetch({
      'GET /config/extensions/list': [200, []],
      'GET /status': status({}),
      'POST /config/extensions/list': [422, { error: { code: 'invalid', message: 'extensions.list[1].password: the password is too easy to guess: too simplistic/systematic', path: 'extensions.list[1].password', errors: [{ path: 'extensions.list[1].password', message: 'extensions.list[1].password: the password is too easy to guess: too simplistic/systematic' }] } }],
    });
    const root = renderPage(extensionsPage);
    await until(() => root.querySelector('[data-test="add"]'));
    root.querySelector<HTMLButtonElement>('[data-test="add"]')!.click();
    const dlg = document.querySelector('[data-test="entry-dialog"]')!;
    expect(dlg.querySelector('h2')!.textContent).toBe('Create New Extension');
    const pw = dlg.querySelector<HTMLInputElement>('[name="extensions.list.password"]')!;
    expect(pw.type).toBe('password');
    expect(pw.closest('.field')!.querySelector('.hint')!.textContent).toBe(PASSWORD_ADVICE);
    // a new extension offers the default codecs, checked in the picker
    expect(dlg.querySelector<HTMLInputElement>('[name="extensions.list.codecs"]')!.value).toBe('ulaw, alaw');
    expect(dlg.querySelector<HTMLInputElement>('[data-test="pick-ulaw"]')!.checked).toBe(true);
    expect(dlg.querySelector('[data-test="picker-extensions.list.codecs"]')!.textContent).toContain('G.711 µ-law');
    type(dlg.querySelector<HTMLInputElement>('[name="extensions.list.name"]')!, 'Desk');
    type(dlg.querySelector<HTMLInputElement>('[name="extensions.list.number"]')!, '1001');
    type(pw, 'abcdefghijkl');
    dlg.querySelector<HTMLButtonElement>('[data-test="save"]')!.click();
    const err = dlg.querySelector('[data-test="error-extensions.list.password"]')!;
    await until(() => err.textContent);
    expect(err.textContent).toBe('The password is too easy to guess: too simplistic/systematic');
    expect(seen.find((r) => r.method === 'POST')!.body).toMatchObject({ name: 'Desk', number: '1001', password: 'abcdefghijkl', codecs: ['ulaw', 'alaw'] });
  });

  it('editing with the password left unchanged stages the changed fields only (a PUT would drop the password)', async () => {
    const { seen } = mockFetch({
      'GET /config/extensions/list': [200, [ext1]],
      'GET /status': status({}),
      'PATCH /config/extensions/list/1': [200, { staged: true }],
      'GET /changes': [200, []],
    });
    const root = renderPage(extensionsPage);
    await until(() => root.querySelector('[data-test="entry-1"]'));
    root.querySelector<HTMLButtonElement>('[data-test="entry-1"] [data-test="edit"]')!.click();
    const dlg = document.querySelector('[data-test="entry-dialog"]')!;
    expect(dlg.querySelector<HTMLInputElement>('[name="extensions.list.password"]')!.value).toBe('');
    type(dlg.querySelector<HTMLInputElement>('[name="extensions.list.name"]')!, 'Front desk');
    dlg.querySelector<HTMLButtonElement>('[data-test="save"]')!.click();
    await until(() => seen.some((r) => r.method === 'PATCH'));
    expect(seen.filter((r) => r.method !== 'GET').map((r) => [r.method, r.url, r.body])).toEqual([
      ['PATCH', '/config/extensions/list/1', { name: 'Front desk' }],
    ]);
  });

  it('an optional field emptied in such an edit is removed', async () => {
    const { seen } = mockFetch({
      'GET /config/extensions/list': [200, [{ ...ext1, outbound_cid: '+3225550100' }]],
      'GET /status': status({}),
      'PATCH /config/extensions/list/1': [200, { staged: true }],
      'DELETE /config/extensions/list/1/outbound_cid': [200, { staged: true }],
      'GET /changes': [200, []],
    });
    const root = renderPage(extensionsPage);
    await until(() => root.querySelector('[data-test="entry-1"]'));
    root.querySelector<HTMLButtonElement>('[data-test="entry-1"] [data-test="edit"]')!.click();
    const dlg = document.querySelector('[data-test="entry-dialog"]')!;
    type(dlg.querySelector<HTMLInputElement>('[name="extensions.list.outbound_cid"]')!, '');
    type(dlg.querySelector<HTMLInputElement>('[name="extensions.list.name"]')!, 'Front desk');
    dlg.querySelector<HTMLButtonElement>('[data-test="save"]')!.click();
    await until(() => seen.some((r) => r.method === 'DELETE'));
    expect(seen.filter((r) => r.method !== 'GET').map((r) => [r.method, r.url, r.body])).toEqual([
      ['PATCH', '/config/extensions/list/1', { name: 'Front desk' }],
      ['DELETE', '/config/extensions/list/1/outbound_cid', undefined],
    ]);
  });

  it('the softphone dialog: the LAN address, the running ports, TLS on 6069', async () => {
    mockFetch({
      'GET /config/extensions/list': [200, [ext1]],
      'GET /status': status({}),
      'GET /config/lan/ipv4/address?running=1': [200, '192.168.1.1'],
      'GET /config/system/hostname?running=1': [200, 'difos'],
      'GET /config/pbx?running=1': [200, { udp_port: 6067, tcp_port: 6068, tls_port: 6069 }],
      'GET /config/pbx': [200, { udp_port: 6067, tcp_port: 6068, tls_port: 6069 }],
    });
    const root = renderPage(extensionsPage);
    await until(() => root.querySelector('[data-test="entry-1"]'));
    root.querySelector<HTMLButtonElement>('[data-test="entry-1"] [data-test="softphone"]')!.click();
    const dlg = document.querySelector('[data-test="softphone-dialog"]')!;
    await until(() => dlg.querySelector('[data-test="sp-port-tls"]'));
    const v = (k: string) => dlg.querySelector(`[data-test="sp-${k}"]`)!.textContent;
    expect(v('port-tls')).toBe('6069');
    expect(v('server')).toContain('192.168.1.1');
    expect(v('username')).toBe('1001');
    expect(v('codecs')).toBe('G.711 µ-law, G.711 A-law');
    expect(dlg.textContent).toContain('TLS on port 6069');
    expect(dlg.textContent).not.toContain('********');
    // the QR code: the account's SIP URI over TLS, without the password, and a sentence saying so
    const qr = dlg.querySelector<HTMLImageElement>('[data-test="sp-qr"]')!;
    expect(qr.dataset.text).toBe('sip:1001@192.168.1.1:6069;transport=tls');
    expect(qr.src).toMatch(/^data:image\/gif;base64,/);
    expect(qr.alt).toBe('QR code of sip:1001@192.168.1.1:6069;transport=tls');
    expect(dlg.querySelector('[data-test="sp-qr-text"]')!.textContent).toMatch(/sip:1001@192\.168\.1\.1:6069;transport=tls.*does not hold the password/);
  });
  it('the QR code\'s URI: the number at the address over TLS; an IPv6 address in brackets', () => {
    expect(softphoneUri('1001', '192.168.1.1', 6069)).toBe('sip:1001@192.168.1.1:6069;transport=tls');
    expect(softphoneUri(1002, 'fd00::1', 5061)).toBe('sip:1002@[fd00::1]:5061;transport=tls');
  });
});

describe('PBX › Settings', () => {
  it('three tabs from the schema; the AMI password is a secret; the pjsip.conf additions a text area', async () => {
    mockFetch({ 'GET /config/pbx': [200, { udp_port: 6067, pjsip_extra: '' }], 'GET /config/pbx?running=1': [200, {}] });
    const root = renderPage(pbxSettingsPage);
    await until(() => root.querySelector('[data-test="tab-network"]'));
    expect([...root.querySelectorAll('[role="tab"]')].map((t) => t.textContent)).toEqual(['Network', 'Security', 'Extras']);
    root.querySelector<HTMLButtonElement>('[data-test="tab-security"]')!.click();
    await until(() => root.querySelector('[name="pbx.ami_password"]'));
    expect(root.querySelector<HTMLInputElement>('[name="pbx.ami_password"]')!.type).toBe('password');
    root.querySelector<HTMLButtonElement>('[data-test="tab-extras"]')!.click();
    await until(() => root.querySelector('[name="pbx.pjsip_extra"]'));
    expect(root.querySelector('[name="pbx.pjsip_extra"]')!.tagName).toBe('TEXTAREA');
  });

  it('the restart warning shows while a port differs from the running one', async () => {
    mockFetch({
      'GET /config/pbx': [200, { udp_port: 6067, tcp_port: 6068, tls_port: 6069 }],
      'GET /config/pbx?running=1': [200, { udp_port: 6067, tcp_port: 6068, tls_port: 6069 }],
    });
    const root = renderPage(pbxSettingsPage);
    await until(() => root.querySelector('[name="pbx.udp_port"]'));
    const warn = root.querySelector<HTMLElement>('[data-test="port-warning"]')!;
    // the panel starts with the warning, above the form
    expect(warn.parentElement!.firstElementChild).toBe(warn);
    await new Promise((r) => setTimeout(r, 20));
    expect(warn.hidden).toBe(true);
    const udp = root.querySelector<HTMLInputElement>('[name="pbx.udp_port"]')!;
    type(udp, '5060');
    expect(warn.hidden).toBe(false);
    expect(warn.textContent).toBe(`${RESTART_WARNING} UDP 6067 → 5060.`);
    type(udp, '6067');
    expect(warn.hidden).toBe(true);
  });

  it('the manager: a new port or any password typed restarts the PBX too', async () => {
    expect(managerChanges({ ami_port: 5038 }, { ami_port: '5038', ami_password: '' })).toEqual([]);
    expect(managerChanges({}, { ami_port: '' })).toEqual([]);
    expect(managerChanges({ ami_port: 5038 }, { ami_port: '5039', ami_password: 'x' })).toEqual(['AMI port 5038 → 5039', 'a new AMI password']);
    mockFetch({ 'GET /config/pbx': [200, { ami_port: 5038, ami_password: '********' }], 'GET /config/pbx?running=1': [200, { ami_port: 5038 }] });
    const root = renderPage(pbxSettingsPage, 'tab=security');
    await until(() => root.querySelector('[name="pbx.ami_password"]'));
    const warn = root.querySelector<HTMLElement>('[data-test="manager-warning"]')!;
    await new Promise((r) => setTimeout(r, 20));
    expect(warn.hidden).toBe(true);
    type(root.querySelector<HTMLInputElement>('[name="pbx.ami_password"]')!, 'Rt5#kq9!mZp2wX');
    expect(warn.hidden).toBe(false);
    expect(warn.textContent).toBe(`${MANAGER_WARNING} a new AMI password.`);
  });

  it('a port staged already (not applied) shows the warning at once', async () => {
    mockFetch({
      'GET /config/pbx': [200, { udp_port: 5070, tcp_port: 6068, tls_port: 6069 }],
      'GET /config/pbx?running=1': [200, { udp_port: 6067, tcp_port: 6068, tls_port: 6069 }],
    });
    const root = renderPage(pbxSettingsPage);
    await until(() => root.querySelector('[name="pbx.udp_port"]'));
    const warn = root.querySelector<HTMLElement>('[data-test="port-warning"]')!;
    await until(() => !warn.hidden);
    expect(warn.textContent).toContain('UDP 6067 → 5070');
  });
});

describe('form pieces', () => {
  it('a page may word a field\'s help itself', () => {
    const f = buildForm(schema, 'extensions.list', {}, { hints: { password: 'Mine.' } });
    expect(f.fields.get('extensions.list.password')!.wrap.querySelector('.hint')!.textContent).toBe('Mine.');
    expect(f.fields.get('extensions.list.name')!.wrap.querySelector('.hint')!.textContent).toBe("Shown as the caller's name on internal calls.");
  });
  it('configuration text keeps its lines and spaces', () => {
    const f = buildForm(schema, 'pbx', { pjsip_extra: '' });
    const ta = f.fields.get('pbx.pjsip_extra')!;
    expect(ta.input.tagName).toBe('TEXTAREA');
    type(ta.input, '[x]\n type = aor \n');
    expect(f.leaves()).toEqual([{ path: 'pbx.pjsip_extra', value: '[x]\n type = aor \n' }]);
  });
});
