import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeText, terminalUrl } from '../pages/terminal';
import { mirrorStyles } from '../pages/termstyles';
import { utilitiesPage } from '../pages/utilities';
import { resetSchema } from '../schema';
import { mockFetch, renderPage, schema, type, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Utilities › Terminal', () => {
  it('shows the manual\'s warning and asks for the password before anything opens', () => {
    const sockets = vi.fn();
    vi.stubGlobal('WebSocket', sockets);
    const root = renderPage(utilitiesPage);
    expect([...root.querySelectorAll('[role=tab]')].map((t) => t.textContent)[0]).toBe('Terminal');
    const warn = root.querySelector('[data-test=terminal-warning]')!;
    expect(warn.textContent).toContain('The terminal is a powerful tool, please use it with caution');
    expect(warn.textContent).toContain('your warranty will be voided');
    expect(root.querySelector<HTMLInputElement>('[data-test=terminal-password]')!.type).toBe('password');
    expect(root.querySelector<HTMLElement>('[data-test=terminal-screen]')!.hidden).toBe(true);
    expect(sockets).not.toHaveBeenCalled();
  });

  it('says why a wrong password is refused, and opens no socket', async () => {
    const sockets = vi.fn();
    vi.stubGlobal('WebSocket', sockets);
    const { seen } = mockFetch({
      'POST /terminal/open': [403, { error: { code: 'forbidden', message: 'password: not the password of admin', path: 'password' } }],
    });
    const root = renderPage(utilitiesPage);
    type(root.querySelector<HTMLInputElement>('[data-test=terminal-password]')!, 'nope');
    root.querySelector<HTMLFormElement>('[data-test=terminal-form]')!.requestSubmit();
    const msg = root.querySelector<HTMLElement>('[data-test=terminal-banner]')!;
    await until(() => !msg.hidden);
    expect(msg.textContent).toContain('not the password of admin');
    expect(seen[0].body).toEqual({ password: 'nope' });
    expect(sockets).not.toHaveBeenCalled();
    expect(root.querySelector<HTMLElement>('[data-test=terminal-screen]')!.hidden).toBe(true);
  });

  it('opens the socket on the page\'s own origin with the ticket and the size', () => {
    const url = terminalUrl({ host: '192.168.1.1' },
      { ticket: 'ab+/', expires_in: 60, path: '/api/v1/terminal', protocol: 'difos-terminal' }, 100, 30);
    expect(url).toBe('wss://192.168.1.1/api/v1/terminal?ticket=ab%2B%2F&cols=100&rows=30');
  });

  it('tells why the terminal ended', () => {
    expect(closeText(1000, 'idle')).toBe('The terminal closed: no key was pressed for too long.');
    expect(closeText(1000, 'exit')).toBe('The terminal closed: the shell exited.');
    expect(closeText(1008, 'ticket: issued to another address')).toBe('The terminal was refused: ticket: issued to another address.');
    expect(closeText(1006, '')).toBe('The terminal closed: the connection was lost.');
  });
});

describe('xterm\'s styles under the CSP', () => {
  it('applies the text of <style> elements as constructed sheets, and follows their changes', async () => {
    const root = document.createElement('div');
    document.body.append(root);
    const stop = mirrorStyles(root);
    const style = document.createElement('style');
    style.textContent = '.a { color: red; }';
    root.append(style);
    await until(() => document.adoptedStyleSheets.length === 1);
    style.textContent = '.a { color: blue; } .b { color: green; }';
    await until(() => document.adoptedStyleSheets[0].cssRules.length === 2);
    style.remove();
    await until(() => document.adoptedStyleSheets.length === 0);
    root.append(style);
    await until(() => document.adoptedStyleSheets.length === 1);
    stop();
    expect(document.adoptedStyleSheets.length).toBe(0);
  });
});
