/*
 * Administration › Utilities › Terminal: a root shell in the page. The
 * admin password is asked again (terminal.open gives a one-time ticket),
 * then xterm.js talks to the router over the WebSocket
 * /api/v1/terminal?ticket=... (subprotocol difos-terminal): keystrokes and
 * output as binary messages, {"resize":[cols,rows]} when the window
 * changes. Leaving the page or the tab closes the socket, and the shell
 * hangs up. xterm.js is loaded only when a terminal opens.
 */
import { ApiError, errorText, post } from '../api';
import { h } from '../dom';
import type { PageCtx } from '../page';
import { banner, busy } from '../ui';
import { mirrorStyles } from './termstyles';

export interface TerminalTicket {
  ticket: string;
  expires_in: number;
  path: string;
  protocol: string;
}

/** The WebSocket's address for a ticket, on the page's own origin. */
export function terminalUrl(loc: { host: string }, t: TerminalTicket, cols: number, rows: number): string {
  return `wss://${loc.host}${t.path}?ticket=${encodeURIComponent(t.ticket)}&cols=${cols}&rows=${rows}`;
}

const REASONS: Record<string, string> = {
  exit: 'the shell exited',
  closed: 'the connection closed',
  idle: 'no key was pressed for too long',
  'closed-by-admin': 'an administrator closed it',
  'web-closed': 'the web server restarted',
  'input-overflow': 'the shell stopped reading its input',
  shutdown: 'the router is shutting down',
};

/** Why the terminal ended, in words, from the socket's close. */
export function closeText(code: number, reason: string): string {
  if (code === 1008) return `The terminal was refused: ${reason || 'the ticket is not valid'}.`;
  const why = REASONS[reason] || reason || 'the connection was lost';
  return `The terminal closed: ${why}.`;
}

/** The manual's warning, kept on the page. */
export function terminalWarning(): HTMLElement {
  return h('div', { class: 'field-warning', role: 'note', 'data-test': 'terminal-warning' },
    h('p', null, '⚠ The terminal is a powerful tool, please use it with caution. If you make an irreparable change to the system, your warranty will be voided.'),
    h('p', null, 'It runs commands on the router as root, whose password is the admin password of this interface. If you do not fully understand what you are doing, it is best not to use the terminal.'));
}

export function terminalTab(ctx: PageCtx, panel: HTMLElement): void {
  const msg = banner('terminal-banner');
  const password = h('input', {
    type: 'password', name: 'password', autocomplete: 'current-password', required: true,
    'data-test': 'terminal-password', 'aria-label': 'Admin password',
  });
  const open = h('button', { type: 'submit', class: 'primary', 'data-test': 'terminal-open' }, 'Open terminal');
  const form = h('form', { class: 'card', 'data-test': 'terminal-form' },
    h('label', null, 'Admin password ', password), ' ', open,
    h('p', { class: 'muted' }, 'The password is asked again each time a terminal opens.'));
  const screen = h('div', { class: 'terminal-screen', 'data-test': 'terminal-screen', hidden: true });
  const state = h('p', { class: 'muted', 'data-test': 'terminal-state', role: 'status' });
  panel.append(terminalWarning(), msg.el, form, state, screen);

  let stop: (() => void) | null = null;
  ctx.onLeave(() => stop?.());

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.set(null);
    void busy(open, async () => {
      let ticket: TerminalTicket;
      try {
        ticket = await post<TerminalTicket>('/terminal/open', { password: password.value });
      } catch (err) {
        msg.set('error', err instanceof ApiError && err.status === 403 ? errorText(err) : `The terminal could not be opened: ${errorText(err)}`);
        return;
      }
      password.value = '';
      stop?.();
      stop = await start(ticket);
    });
  });

  async function start(ticket: TerminalTicket): Promise<() => void> {
    const [{ Terminal }, { FitAddon }] = await Promise.all([
      import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/xterm/css/xterm.css'),
    ]);
    form.hidden = true;
    screen.hidden = false;
    screen.replaceChildren();
    const unmirror = mirrorStyles(screen);
    const term = new Terminal({ cursorBlink: true, scrollback: 5000, fontSize: 14 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(screen);
    fit.fit();
    const ws = new WebSocket(terminalUrl(location, ticket, term.cols, term.rows), ticket.protocol);
    ws.binaryType = 'arraybuffer';
    const enc = new TextEncoder();
    state.textContent = 'Connecting…';
    ws.onopen = () => {
      state.textContent = 'Connected: a root shell on the router.';
      term.focus();
    };
    ws.onmessage = (ev) => {
      if (ev.data instanceof ArrayBuffer) term.write(new Uint8Array(ev.data));
    };
    const input = term.onData((d) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(enc.encode(d));
    });
    const resized = term.onResize(({ cols, rows }) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ resize: [cols, rows] }));
    });
    const onWindow = () => fit.fit();
    window.addEventListener('resize', onWindow);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      window.removeEventListener('resize', onWindow);
      input.dispose();
      resized.dispose();
      ws.onclose = null;
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
    };
    ws.onclose = (ev) => {
      end();
      state.textContent = '';
      msg.set(ev.code === 1000 ? 'info' : 'error', closeText(ev.code, ev.reason));
      form.hidden = false;
      open.textContent = 'Open again';
    };
    return () => {
      end();
      term.dispose();
      unmirror();
    };
  }
}
