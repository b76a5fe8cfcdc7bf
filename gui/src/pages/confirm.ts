/*
 * #/confirm?token=...: the page arrives here at the router's new LAN address
 * after an apply that moved it, and confirms the change with the token
 * (the session cookie does not follow a change of address). Then: log in.
 */
import { ApiError, errorText, post } from '../api';
import { sleep } from '../apply';
import { h, fill } from '../dom';
import type { PageDef } from '../page';
import { loginForm } from './login';

/** How long to keep trying while the apply is still finishing. */
const TRY_MS = 30000;

export const confirmPage: PageDef = {
  path: '/confirm',
  title: 'Confirm',
  public: true,
  render(ctx) {
    const token = ctx.query.get('token') || '';
    const status = h('p', { class: 'apply-status', 'data-test': 'confirm-status', role: 'status' }, 'Confirming the change…');
    ctx.root.append(h('h1', null, 'Confirm the change'), status);
    if (!token) {
      fill(status, 'Nothing to confirm here.');
      ctx.root.append(h('p', null, h('a', { href: '#/login' }, 'Log in')));
      return;
    }
    let left = true;
    ctx.onLeave(() => (left = false));
    const attempt = async () => {
      const end = Date.now() + TRY_MS;
      let last: unknown = null;
      while (left && Date.now() < end) {
        try {
          const res = await post<{ confirmed?: number }>('/confirm', { token }, { csrf: 'login', noRedirect: true, timeout: 5000 });
          history.replaceState(null, '', '#/login');
          status.className = 'apply-status ok';
          status.dataset.state = 'confirmed';
          fill(status, `Confirmed — the router now answers here${res?.confirmed ? ` (revision ${res.confirmed})` : ''}.`);
          ctx.root.append(loginForm(h('p', { class: 'muted' }, 'Log in again: the session stays with the old address.')));
          return;
        } catch (e) {
          last = e;
          // 401/409: the apply has not answered yet (the token counts from then);
          // network errors: the router is still switching; 403: not this apply's token
          if (e instanceof ApiError && ![0, 401, 409].includes(e.status) && e.status < 500) break;
        }
        await sleep(1500);
      }
      if (!left) return;
      status.className = 'apply-status error';
      status.dataset.state = 'error';
      status.setAttribute('role', 'alert');
      fill(status, `The change could not be confirmed: ${errorText(last)}`, h('br'),
        'The router will roll back to its previous address when the countdown ends.');
      const again = h('button', { type: 'button', class: 'secondary', onclick: () => { again.remove(); fill(status, 'Confirming the change…'); void attempt(); } }, 'Try again');
      ctx.root.append(again);
    };
    void attempt();
  },
};
