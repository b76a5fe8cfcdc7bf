import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METER_DELAY_MS, meterText, setupPage } from '../pages/setup';
import { passwordCard, tokensCard } from '../pages/system';
import { session } from '../session';
import { mockFetch, renderPage, type, until } from './helpers';

beforeEach(() => document.body.replaceChildren());
afterEach(() => vi.unstubAllGlobals());

const refused = { ok: false, score: 0, message: 'the password is too easy to guess: based on a dictionary word' };
const strong = { ok: true, score: 100, message: '' };

describe('password strength meter', () => {
  it('words the core verdict: its reason when refused, else how strong', () => {
    expect(meterText(refused)).toEqual({ level: 'refused', text: 'Refused: is too easy to guess: based on a dictionary word.' });
    expect(meterText(strong).level).toBe('strong');
    expect(meterText({ ok: true, score: 60, message: '' }).level).toBe('good');
    expect(meterText({ ok: true, score: 20, message: '' }).level).toBe('fair');
  });

  it('on the setup page asks the core with the setup token, once per pause, and shows its answer', async () => {
    session.setup_required = true;
    const { seen } = mockFetch({
      'POST /auth/password-check': (req) => [200, (req.body as { password: string }).password === 'password' ? refused : strong],
    });
    const root = renderPage(setupPage, 'token=abc123');
    const input = root.querySelector<HTMLInputElement>('input[name=password]')!;
    const meter = root.querySelector<HTMLElement>('[data-test=password-meter]')!;
    expect(meter.hidden).toBe(true);
    type(input, 'pass');
    type(input, 'passwor');
    type(input, 'password');
    await until(() => !meter.hidden, METER_DELAY_MS + 2000);
    const checks = seen.filter((s) => s.url === '/auth/password-check');
    expect(checks).toHaveLength(1);
    expect(checks[0].body).toEqual({ password: 'password', token: 'abc123' });
    expect(checks[0].headers['X-Auth-Token']).toBe('login');
    expect(meter.dataset.level).toBe('refused');
    expect(root.querySelector('[data-test=password-meter-text]')!.textContent).toContain('dictionary word');
    expect(root.querySelector<HTMLMeterElement>('meter')!.value).toBe(0);
    type(input, 'blue cactus under the lamp');
    await until(() => meter.dataset.level === 'strong', METER_DELAY_MS + 2000);
    expect(root.querySelector('[data-test=password-meter-text]')!.textContent).toBe('Strong.');
    type(input, '');
    expect(meter.hidden).toBe(true);
  });

  it('on the password change asks with the session, without a setup token', async () => {
    const { seen } = mockFetch({ 'POST /auth/password-check': [200, refused] });
    const card = passwordCard();
    document.body.append(card);
    type(card.querySelector<HTMLInputElement>('input[name=password]')!, 'Password1');
    const meter = card.querySelector<HTMLElement>('[data-test=password-meter]')!;
    await until(() => !meter.hidden, METER_DELAY_MS + 2000);
    expect(seen.find((s) => s.url === '/auth/password-check')!.body).toEqual({ password: 'Password1' });
    expect(meter.dataset.level).toBe('refused');
  });
});

describe('API tokens card', () => {
  const list = [
    { id: 1, name: 'old script', scope: 'read-only', creator: null, created: 1700000000, last_used: null },
    { id: 2, name: 'backup', scope: 'config', creator: 'admin', created: 1700000000, last_used: 1700000500 },
  ];

  it('shows scope, creator, created and last used of each token', async () => {
    mockFetch({ 'GET /tokens': [200, list] });
    const card = tokensCard();
    document.body.append(card);
    await until(() => card.querySelector('[data-test=token-2]'));
    const heads = [...card.querySelectorAll('th')].map((th) => th.textContent);
    expect(heads).toEqual(['Name', 'Scope', 'Created by', 'Created', 'Last used', 'Actions']);
    const cells = (id: number) => [...card.querySelector(`[data-test=token-${id}]`)!.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells(2).slice(0, 3)).toEqual(['backup', 'config', 'admin']);
    expect(cells(2)[4]).not.toBe('never');
    expect(cells(1).slice(1, 3)).toEqual(['read-only', 'unknown']);
    expect(cells(1)[4]).toBe('never');
  });

  it('offers the three scopes and creates a token with the one chosen', async () => {
    const { seen } = mockFetch({
      'GET /tokens': [200, []],
      'POST /tokens': [201, { id: 3, name: 'ci', scope: 'config', token: 'difos_' + 'a'.repeat(64) }],
    });
    const card = tokensCard();
    document.body.append(card);
    const scope = card.querySelector<HTMLSelectElement>('[data-test=token-scope]')!;
    expect([...scope.options].map((o) => o.value)).toEqual(['read-only', 'config', 'admin']);
    expect(scope.value).toBe('read-only');
    type(card.querySelector<HTMLInputElement>('#token-name')!, 'ci');
    scope.value = 'config';
    card.querySelector<HTMLFormElement>('[data-test=token-form]')!.requestSubmit();
    await until(() => seen.some((s) => s.method === 'POST'));
    expect(seen.find((s) => s.method === 'POST')!.body).toEqual({ name: 'ci', scope: 'config' });
    await until(() => !card.querySelector<HTMLElement>('[data-test=new-token]')!.hidden);
  });
});
