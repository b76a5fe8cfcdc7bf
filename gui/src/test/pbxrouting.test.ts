import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildForm } from '../form';
import { SUBSTRING_RULE, blockListPage } from '../pages/blocklist';
import { callRoutingPage, previewSource, previewWords } from '../pages/callrouting';
import { POLL_MS } from '../pages/pbx';
import { extensionChoices, extensionLabel, trunkReachability, trunkRegistration, trunksPage } from '../pages/trunks';
import { PAGES } from '../routes';
import { resetSchema } from '../schema';
import { chooser } from '../suggest';
import { mockFetch, renderPage, schema, type, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const ext1 = { id: 1, name: 'Desk', number: '1001', enabled: true };
const ext2 = { id: 2, name: 'Reception', number: '1002', enabled: true };
const office = { id: 3, name: 'office', host: '10.254.248.2', port: 5060, transport: 'udp', dialout_prefix: '8', default_destination: '1002', authentication: true, username: 'pbx1', password: '********', enabled: true };
const gw = { id: 4, name: 'gw', host: 'gw.example.org', port: 5080, transport: 'tcp', authentication: false, qualify: false };

describe('the route preview in words', () => {
  it('numbers an extension dials', () => {
    expect(previewWords({ number: '1001', kind: 'extension', extension: '1001', name: 'Desk' }, undefined, (n) => `${n} (Desk)`))
      .toBe('1001: the extension 1001 (Desk)');
    expect(previewWords({ number: '8050123456789', kind: 'prefix', pattern: '_8.', trunk: 'office', sent: '050123456789' }))
      .toBe('8050123456789: dial-out prefix of trunk office — 050123456789 is sent');
    expect(previewWords({ number: '2001', kind: 'route', route: { id: 1, name: 'local', pattern: '_20XX' }, trunk: 'office', sent: '2001' }))
      .toBe('2001: outbound route local (_20XX) to trunk office — the number is sent as dialled');
    expect(previewWords({ number: '0044123', kind: 'route', route: { id: 2, pattern: '_00X.' }, trunk: 'gw', sent: '0044123', caller_id: '+97141234567' }))
      .toBe('0044123: outbound route _00X. to trunk gw — the number is sent as dialled, with caller ID +97141234567');
    expect(previewWords({ number: '5555', kind: 'none' })).toBe('5555: no route: the call fails');
  });
  it('numbers called on a trunk', () => {
    const label = (n: string) => extensionLabel(n, [ext1, ext2]);
    expect(previewWords({ number: '2142050', kind: 'route', route: { id: 1, pattern: '_2142050' }, destination: '1001' }, 'office', label))
      .toBe('2142050 called on trunk office: inbound route _2142050 to 1001 (Desk)');
    expect(previewWords({ number: '999', kind: 'default', destination: '1002' }, 'office', label))
      .toBe("999 called on trunk office: no inbound route matches: the trunk's default, 1002 (Reception)");
    expect(previewWords({ number: '999', kind: 'refused' }, 'gw')).toBe('999 called on trunk gw: no inbound route matches and the trunk has no default action: the call is refused');
    expect(previewWords({ number: '999', kind: 'no_trunk' }, 'nope')).toBe('999: there is no trunk named nope');
  });
  it('says which configuration it read', () => {
    expect(previewSource({ kind: 'none', staged: true })).toMatch(/^Read from the staged configuration/);
    expect(previewSource({ kind: 'none', staged: false })).toMatch(/^Read from the configuration in force/);
  });
});

describe('trunk states', () => {
  it('registration: none without gateway authentication, else the provider\'s answer', () => {
    expect(trunkRegistration(gw, {}).text).toBe('No registration (no gateway authentication)');
    expect(trunkRegistration(office, {})).toEqual({ state: 'unregistered', text: 'Unregistered' });
    expect(trunkRegistration(office, { office: { status: 'Registered' } })).toEqual({ state: 'registered', text: 'Registered' });
    expect(trunkRegistration(office, { office: { status: 'Rejected' } }).state).toBe('rejected');
    expect(trunkRegistration(office, { other: { status: 'Registered' } }).text).toBe('Unregistered');
    expect(trunkRegistration({ ...office, enabled: false }, { office: { status: 'Registered' } }).text).toBe('Disabled');
  });
  it('reachability: the contact trunk-<name>, when the trunk is checked', () => {
    expect(trunkReachability(office, {})).toEqual({ state: 'unknown', text: 'Not known yet' });
    expect(trunkReachability(office, { 'trunk-office': [{ status: 'Reachable', rtt_ms: 1.234 }] })).toEqual({ state: 'reachable', text: 'Reachable (1.2 ms)' });
    expect(trunkReachability(office, { 'trunk-office': [{ status: 'Unreachable' }] })).toEqual({ state: 'unreachable', text: 'Not answering' });
    expect(trunkReachability(gw, { 'trunk-gw': [{ status: 'Reachable' }] }).text).toBe('Not checked');
  });
  it('extensions as choices, by number', () => {
    expect(extensionChoices([ext2, ext1, { id: 9, number: '200' }])).toEqual([
      { value: '200', label: '200' }, { value: '1001', label: '1001 — Desk' }, { value: '1002', label: '1002 — Reception' }]);
  });
});

describe('fields shown on a switch', () => {
  it('the trunk\'s username and password only with gateway authentication on', () => {
    const f = buildForm(schema, 'trunks.list', {});
    const auth = f.fields.get('trunks.list.authentication')!.input as HTMLInputElement;
    const user = f.fields.get('trunks.list.username')!;
    const pw = f.fields.get('trunks.list.password')!;
    expect(user.wrap.hidden).toBe(true);
    expect(pw.wrap.hidden).toBe(true);
    auth.checked = true;
    auth.dispatchEvent(new Event('change'));
    expect(user.wrap.hidden).toBe(false);
    expect(pw.wrap.hidden).toBe(false);
    expect((pw.input as HTMLInputElement).type).toBe('password');
    expect(buildForm(schema, 'trunks.list', office).fields.get('trunks.list.username')!.wrap.hidden).toBe(false);
  });
});

describe('a select for a field', () => {
  it('writes the chosen value into the field, keeps one that is not offered', () => {
    const f = buildForm(schema, 'trunks.list', { default_destination: '1003' });
    const field = f.fields.get('trunks.list.default_destination')!;
    const sel = chooser(field, extensionChoices([ext1, ext2]), { empty: 'Refuse the call', missing: (v) => `${v} (no such extension)` });
    expect(sel.name).toBe('trunks.list.default_destination');
    expect([...sel.options].map((o) => o.textContent)).toEqual(['Refuse the call', '1001 — Desk', '1002 — Reception', '1003 (no such extension)']);
    expect(sel.value).toBe('1003');
    sel.value = '1001';
    sel.dispatchEvent(new Event('change'));
    expect(field.read().value).toBe('1001');
    expect(f.leaves()).toEqual([{ path: 'trunks.list.default_destination', value: '1001' }]);
    sel.value = '';
    sel.dispatchEvent(new Event('change'));
    expect(field.read().empty).toBe(true);
  });
  it('an error on the field marks the select, and the form focuses the select', async () => {
    const f = buildForm(schema, 'call_routing.outbound', { pattern: '_20XX' });
    document.body.append(f.el);
    const field = f.fields.get('call_routing.outbound.trunk')!;
    const sel = chooser(field, [{ value: '3', label: 'office' }]);
    expect(f.validate()).toBe(false);
    await until(() => sel.getAttribute('aria-invalid') === 'true');
    expect(field.error.textContent).toBe('Required');
    expect(document.activeElement).toBe(sel);
    sel.value = '3';
    sel.dispatchEvent(new Event('change'));
    await until(() => !sel.hasAttribute('aria-invalid'));
  });
});

describe('the PBX menu', () => {
  it('in the manual\'s order', () => {
    const pbx = PAGES.filter((p) => p.group === 'PBX').map((p) => p.path);
    const at = (p: string) => pbx.indexOf(p);
    expect(at('/pbx/extensions')).toBe(0);
    expect(at('/pbx/trunks')).toBe(1);
    expect(at('/pbx/routing')).toBe(2);
    expect(at('/pbx/blocklist')).toBeGreaterThan(2);
    expect(at('/pbx/settings')).toBe(pbx.length - 1);
  });
});

const status = (registrations: unknown, contacts: unknown = {}) => [200, { features: { pbx: { state: 'ok', detail: { contacts, registrations } } } }] as [number, unknown];

describe('PBX › Trunks', () => {
  it('the rows: address, prefix, default action by name, registration and reachability live every 3 s', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let regs: unknown = {};
    const { seen } = mockFetch({
      'GET /config/trunks/list': [200, [office, gw]],
      'GET /config/extensions/list': [200, [ext1, ext2]],
      'GET /status': () => status(regs),
    });
    const leave: (() => void)[] = [];
    const root = document.createElement('div');
    document.body.append(root);
    trunksPage.render({ root, query: new URLSearchParams(), onLeave: (fn) => leave.push(fn) });
    await until(() => root.querySelector('[data-test="entry-3"]'));
    expect(root.querySelector('[data-test="add"]')!.textContent).toBe('Create New Trunk');
    const row = root.querySelector('[data-test="entry-3"]')!;
    expect(row.querySelector('td[data-label="Host:port"]')!.textContent).toBe('10.254.248.2:5060');
    expect(row.querySelector('td[data-label="Default action"]')!.textContent).toBe('1002 (Reception)');
    expect(root.querySelector('[data-test="entry-4"] td[data-label="Default action"]')!.textContent).toBe('Refused');
    const regCells = () => [...root.querySelectorAll('[data-test="trunk-registration"]')].map((c) => c.textContent);
    await until(() => regCells()[0] === 'Unregistered');
    expect(regCells()).toEqual(['Unregistered', 'No registration (no gateway authentication)']);
    regs = { office: { status: 'Registered' } };
    const before = seen.filter((r) => r.url === '/status').length;
    await vi.advanceTimersByTimeAsync(POLL_MS);
    await until(() => regCells()[0] === 'Registered');
    expect(seen.filter((r) => r.url === '/status').length).toBe(before + 1);
    expect(root.querySelector('[data-test="trunk-registration"]')!.className).toContain('trunk-registered');
    expect(root.querySelector('[data-test="entry-4"] [data-test="trunk-reachability"]')!.textContent).toBe('Not checked');
    leave.forEach((fn) => fn());
    const after = seen.filter((r) => r.url === '/status').length;
    await vi.advanceTimersByTimeAsync(POLL_MS * 2);
    expect(seen.filter((r) => r.url === '/status').length).toBe(after);
  });

  it('the form: the default action picked among the extensions; credentials with authentication only', async () => {
    const { seen } = mockFetch({
      'GET /config/trunks/list': [200, []],
      'GET /config/extensions/list': [200, [ext1, ext2]],
      'GET /status': status({}),
      'POST /config/trunks/list': [200, { id: 5 }],
      'GET /changes': [200, [{}]],
    });
    const root = renderPage(trunksPage);
    await until(() => root.querySelector('[data-test="add"]'));
    root.querySelector<HTMLButtonElement>('[data-test="add"]')!.click();
    const dlg = document.querySelector('[data-test="entry-dialog"]')!;
    const q = <T extends Element = HTMLInputElement>(name: string) => dlg.querySelector<T>(`[name="trunks.list.${name}"]`)!;
    const sel = q<HTMLSelectElement>('default_destination');
    expect(sel.tagName).toBe('SELECT');
    expect([...sel.options].map((o) => o.value)).toEqual(['', '1001', '1002']);
    expect(q('username').closest<HTMLElement>('.field')!.hidden).toBe(true);
    type(q('name'), 'office');
    type(q('host'), '10.254.248.2');
    sel.value = '1002';
    sel.dispatchEvent(new Event('change'));
    const auth = q('authentication');
    auth.checked = true;
    auth.dispatchEvent(new Event('change'));
    expect(q('username').closest<HTMLElement>('.field')!.hidden).toBe(false);
    type(q('username'), 'pbx1');
    type(q('password'), 'Secret-2024x');
    // the codecs as for extensions: checkboxes in words, the default ones checked
    expect(dlg.querySelector('[data-test="picker-trunks.list.codecs"]')!.textContent).toContain('G.711 A-law');
    expect(dlg.querySelector<HTMLInputElement>('[data-test="pick-alaw"]')!.checked).toBe(true);
    dlg.querySelector<HTMLButtonElement>('[data-test="save"]')!.click();
    await until(() => seen.some((r) => r.method === 'POST'));
    expect(seen.find((r) => r.method === 'POST')!.body).toMatchObject({
      name: 'office', host: '10.254.248.2', default_destination: '1002', authentication: true, username: 'pbx1', password: 'Secret-2024x',
      codecs: ['ulaw', 'alaw'] });
  });
});

describe('PBX › Call Routing', () => {
  const routes = {
    inbound: [{ id: 1, name: 'main', pattern: '_2142050', destination: '1001', enabled: true }],
    outbound: [{ id: 2, name: 'local', pattern: '_20XX', trunk: 3, enabled: true }],
  };
  const base = () => ({
    'GET /config/trunks/list': [200, [office, gw]] as [number, unknown],
    'GET /config/extensions/list': [200, [ext1, ext2]] as [number, unknown],
    'GET /config/call_routing/inbound': [200, routes.inbound] as [number, unknown],
    'GET /config/call_routing/outbound': [200, routes.outbound] as [number, unknown],
  });

  it('two tables with extensions and trunks by name; the pattern syntax on the page', async () => {
    mockFetch(base());
    const root = renderPage(callRoutingPage);
    await until(() => root.querySelector('[data-test="table-call_routing.outbound"] [data-test="entry-2"]') && root.querySelector('[data-test="table-call_routing.inbound"] [data-test="entry-1"]'));
    expect(root.querySelector('[data-test="table-call_routing.inbound"] [data-test="entry-1"] td[data-label="Destination"]')!.textContent).toBe('1001 (Desk)');
    expect(root.querySelector('[data-test="table-call_routing.outbound"] [data-test="entry-2"] td[data-label="Trunk"]')!.textContent).toBe('office');
    expect(root.querySelector('[data-test="pattern-syntax"]')!.textContent).toContain("Asterisk's");
  });

  it('the outbound form picks a trunk by name; a refused pattern shows the router\'s words at the field', async () => {
    const msg = "call_routing.outbound[5].pattern: '[' at position 4 is not closed by ']'";
    const { seen } = mockFetch({
      ...base(),
      'POST /config/call_routing/outbound': [422, { error: { code: 'invalid', message: msg, path: 'call_routing.outbound[5].pattern', errors: [{ path: 'call_routing.outbound[5].pattern', value: '_20[1', message: msg }] } }],
    });
    const root = renderPage(callRoutingPage);
    const table = await (async () => {
      await until(() => root.querySelector('[data-test="table-call_routing.outbound"] [data-test="add"]'));
      return root.querySelector('[data-test="table-call_routing.outbound"]')!;
    })();
    table.querySelector<HTMLButtonElement>('[data-test="add"]')!.click();
    const dlg = document.querySelector('[data-test="entry-dialog"]')!;
    const trunk = dlg.querySelector<HTMLSelectElement>('[name="call_routing.outbound.trunk"]')!;
    expect(trunk.tagName).toBe('SELECT');
    expect([...trunk.options].map((o) => [o.value, o.textContent])).toEqual([['', '— choose —'], ['3', 'office'], ['4', 'gw']]);
    const pattern = dlg.querySelector<HTMLInputElement>('[name="call_routing.outbound.pattern"]')!;
    expect(pattern.closest('.field')!.querySelector('.hint')!.textContent).toContain('_ then X (0-9)');
    type(pattern, '_20[1');
    trunk.value = '4';
    trunk.dispatchEvent(new Event('change'));
    dlg.querySelector<HTMLButtonElement>('[data-test="save"]')!.click();
    const err = dlg.querySelector('[data-test="error-call_routing.outbound.pattern"]')!;
    await until(() => err.textContent);
    expect(err.textContent).toBe("'[' at position 4 is not closed by ']'");
    expect(seen.find((r) => r.method === 'POST')!.body).toMatchObject({ pattern: '_20[1', trunk: 4 });
  });

  it('the preview asks the router and says the answer in words, and which configuration it read', async () => {
    const { seen } = mockFetch({
      ...base(),
      'GET /pbx/route-preview?number=2001': [200, { number: '2001', kind: 'route', route: { id: 2, name: 'local', pattern: '_20XX' }, trunk: 'office', sent: '2001', staged: true }],
      'GET /pbx/route-preview?number=999&trunk=office': [200, { number: '999', kind: 'default', destination: '1002', staged: false }],
      'GET /pbx/route-preview?number=20a': [422, { error: { code: 'invalid', message: 'number: 20a is not a number that can be dialled (digits, *, #, +)', path: 'number' } }],
    });
    const root = renderPage(callRoutingPage);
    await until(() => root.querySelector('[data-test="preview-number"]'));
    const num = root.querySelector<HTMLInputElement>('[data-test="preview-number"]')!;
    const answer = root.querySelector('[data-test="preview-answer"]')!;
    type(num, '2001');
    root.querySelector<HTMLButtonElement>('[data-test="preview"]')!.click();
    await until(() => answer.textContent);
    expect(answer.textContent).toBe('2001: outbound route local (_20XX) to trunk office — the number is sent as dialled');
    expect(root.querySelector('[data-test="preview-source"]')!.textContent).toMatch(/staged configuration/);

    const trunk = root.querySelector<HTMLSelectElement>('[data-test="preview-trunk"]')!;
    expect([...trunk.options].map((o) => o.value)).toEqual(['', 'office', 'gw']);
    trunk.value = 'office';
    type(num, '999');
    root.querySelector<HTMLButtonElement>('[data-test="preview"]')!.click();
    await until(() => answer.textContent!.startsWith('999'));
    expect(answer.textContent).toBe("999 called on trunk office: no inbound route matches: the trunk's default, 1002 (Reception)");
    expect(root.querySelector('[data-test="preview-source"]')!.textContent).toMatch(/in force/);

    trunk.value = '';
    type(num, '20a');
    root.querySelector<HTMLButtonElement>('[data-test="preview"]')!.click();
    const err = root.querySelector('[data-test="preview-error"]')!;
    await until(() => err.textContent);
    expect(err.textContent).toBe('20a is not a number that can be dialled (digits, *, #, +)');
    expect(answer.textContent).toBe('');
    expect(seen.filter((r) => r.url.startsWith('/pbx/route-preview')).length).toBe(3);
  });

  it('a route staged asks the preview again', async () => {
    let kind = 'none';
    const { seen } = mockFetch({
      ...base(),
      'GET /pbx/route-preview?number=2001': () => [200, kind === 'none' ? { number: '2001', kind, staged: false }
        : { number: '2001', kind, route: { id: 7, pattern: '_200X' }, trunk: 'gw', sent: '2001', staged: true }],
      'POST /config/call_routing/outbound': () => {
        kind = 'route';
        return [200, { id: 7 }];
      },
      'GET /changes': [200, [{}]],
    });
    const root = renderPage(callRoutingPage);
    await until(() => root.querySelector('[data-test="table-call_routing.outbound"] [data-test="add"]'));
    type(root.querySelector<HTMLInputElement>('[data-test="preview-number"]')!, '2001');
    root.querySelector<HTMLButtonElement>('[data-test="preview"]')!.click();
    const answer = root.querySelector('[data-test="preview-answer"]')!;
    await until(() => answer.textContent === '2001: no route: the call fails');
    root.querySelector<HTMLButtonElement>('[data-test="table-call_routing.outbound"] [data-test="add"]')!.click();
    const dlg = document.querySelector('[data-test="entry-dialog"]')!;
    type(dlg.querySelector<HTMLInputElement>('[name="call_routing.outbound.pattern"]')!, '_200X');
    const trunk = dlg.querySelector<HTMLSelectElement>('[name="call_routing.outbound.trunk"]')!;
    trunk.value = '4';
    trunk.dispatchEvent(new Event('change'));
    dlg.querySelector<HTMLButtonElement>('[data-test="save"]')!.click();
    await until(() => answer.textContent!.includes('outbound route'));
    expect(answer.textContent).toBe('2001: outbound route _200X to trunk gw — the number is sent as dialled');
    expect(seen.filter((r) => r.url === '/pbx/route-preview?number=2001').length).toBe(2);
  });
});

describe('PBX › Block List', () => {
  it('the lists with their numbers, and the substring rule', async () => {
    mockFetch({ 'GET /config/block_lists/list': [200, [{ id: 1, name: 'spam', numbers: ['7654321', '+971501112233'], enabled: true }]] });
    const root = renderPage(blockListPage);
    await until(() => root.querySelector('[data-test="entry-1"]'));
    expect(root.querySelector('[data-test="entry-1"] td[data-label="Numbers"]')!.textContent).toBe('7654321, +971501112233');
    expect(root.querySelector('[data-test="substring-rule"]')!.textContent).toBe(SUBSTRING_RULE);
    expect(SUBSTRING_RULE).toContain('7654321 blocks +971507654321 and 0507654321');
  });
});
