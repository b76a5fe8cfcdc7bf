/*
 * Administration › History: the revisions; pick two to see what changed
 * between them; roll back to an earlier one (an apply with the confirm
 * countdown); pin one so that it is kept whatever the number of revisions
 * kept (system.keep_revisions).
 */
import { errorText, get, post } from '../api';
import { runConfirmed, type ApplyResult } from '../apply';
import { changeList, type Change } from '../changes';
import { openDialog } from '../dialog';
import { h, fill } from '../dom';
import { time } from '../format';
import type { PageDef } from '../page';
import { banner, emptyRow, table } from '../ui';

export interface Revision {
  id: number;
  time?: number;
  author?: string;
  comment?: string;
  state?: string;
  pinned?: boolean;
}

/** The running revision: from /status, else the newest applied one. */
export function runningOf(list: Revision[], status?: { running?: number }): number | undefined {
  if (status && typeof status.running === 'number') return status.running;
  return list.filter((r) => r.state === 'applied').reduce<number | undefined>((m, r) => (m === undefined || r.id > m ? r.id : m), undefined);
}

function rollback(rev: Revision, running: number | undefined) {
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading the differences…'));
  const go = h('button', { type: 'button', class: 'danger', 'data-test': 'rollback-confirm', disabled: true }, `Roll back to ${rev.id}`);
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close() }, 'Cancel');
  const dlg = openDialog({ title: `Roll back to revision ${rev.id}`, body, actions: [go, cancel], test: 'rollback-dialog', wide: true });
  let diff: Change[] = [];
  const load = running !== undefined
    ? get<Change[]>(`/diff?from=${running}&to=${rev.id}`).then((d) => (diff = Array.isArray(d) ? d : []))
    : Promise.resolve([]);
  load.then(
    () => fill(body, h('p', null, `These changes will be applied (from revision ${running ?? '?'} to the state of revision ${rev.id}):`), changeList(diff)),
    (e) => fill(body, h('p', { class: 'banner error' }, errorText(e))),
  ).finally(() => {
    go.disabled = false;
  });
  go.addEventListener('click', () => {
    void runConfirmed(dlg, (extra) => post<ApplyResult>('/rollback', { revision: rev.id, ...extra }), diff, 'Rolling back', false);
  });
}

export const historyPage: PageDef = {
  path: '/history',
  title: 'History',
  group: 'Administration',
  render(ctx) {
    const msg = banner();
    const list = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
    const diffOut = h('div', { class: 'diff-out', 'data-test': 'diff', 'aria-live': 'polite' });
    const diffCard = h('section', { class: 'card', hidden: true }, diffOut);
    const compare = h('button', { type: 'button', class: 'secondary', 'data-test': 'compare', disabled: true }, 'Compare');
    const selected = new Set<number>();
    const picks: HTMLInputElement[] = [];

    const sync = () => {
      compare.disabled = selected.size !== 2;
      for (const p of picks) p.disabled = selected.size >= 2 && !p.checked;
    };
    compare.addEventListener('click', async () => {
      const [a, b] = [...selected].sort((x, y) => x - y);
      diffCard.hidden = false;
      fill(diffOut, h('p', { class: 'muted' }, 'Loading…'));
      try {
        const d = await get<Change[]>(`/diff?from=${a}&to=${b}`);
        fill(diffOut, h('h2', null, `From revision ${a} to ${b}`), changeList(Array.isArray(d) ? d : []));
      } catch (e) {
        fill(diffOut, h('p', { class: 'banner error', role: 'alert' }, errorText(e)));
      }
    });

    /* pinned: kept however many revisions come after it */
    const pinToggle = (r: Revision) => {
      const btn = h('button', {
        type: 'button', class: 'small secondary', 'data-test': 'pin-' + r.id, 'aria-pressed': r.pinned ? 'true' : 'false',
        'aria-label': `${r.pinned ? 'Unpin' : 'Pin'} revision ${r.id}`,
        title: r.pinned ? 'Pinned: never dropped. Click to let it go with the older revisions.' : 'Pin: keep this revision whatever the number of revisions kept.',
      }, r.pinned ? 'Pinned' : 'Pin');
      btn.addEventListener('click', async () => {
        btn.disabled = true;
        try {
          await post('/pin', { revision: r.id, pinned: !r.pinned });
          await load();
        } catch (e) {
          btn.disabled = false;
          msg.error(e);
        }
      });
      return btn;
    };

    const load = async (): Promise<void> => {
      let revs: Revision[];
      let status: { running?: number } | undefined;
      try {
        [revs, status] = await Promise.all([get<Revision[]>('/history'), get<{ running?: number }>('/status').catch(() => undefined)]);
      } catch (e) {
        list.replaceChildren();
        msg.error(e);
        return;
      }
      revs = Array.isArray(revs) ? revs : [];
      const running = runningOf(revs, status);
      selected.clear();
      picks.length = 0;
      const rows = revs.map((r) => {
        const pick = h('input', {
          type: 'checkbox', 'aria-label': `Select revision ${r.id}`, 'data-test': 'pick-' + r.id,
          onchange: () => {
            if (pick.checked) selected.add(r.id);
            else selected.delete(r.id);
            sync();
          },
        });
        picks.push(pick);
        const isRunning = r.id === running;
        return h('tr', { 'data-test': 'rev-' + r.id, class: isRunning ? 'current' : undefined },
          h('td', null, pick),
          h('td', { 'data-label': 'Revision' }, h('strong', null, String(r.id))),
          h('td', { 'data-label': 'Time' }, time(r.time)),
          h('td', { 'data-label': 'Author' }, r.author || '—'),
          h('td', { 'data-label': 'Comment' }, r.comment || '—'),
          h('td', { 'data-label': 'State' }, h('span', { class: 'state state-' + (r.state || 'unknown') }, isRunning ? `${r.state || ''} (running)` : r.state || '—')),
          h('td', { 'data-label': 'Kept' }, pinToggle(r)),
          h('td', { class: 'actions' }, isRunning ? null : h('button', {
            type: 'button', class: 'small secondary', 'data-test': 'rollback-' + r.id, 'aria-label': `Roll back to revision ${r.id}`,
            onclick: () => rollback(r, running),
          }, 'Roll back')));
      });
      fill(list, table(['', 'Revision', 'Time', 'Author', 'Comment', 'State', 'Kept', 'Actions'], rows.length ? rows : [emptyRow(8, 'No revisions yet.')], 'history'));
      sync();
    };
    ctx.root.append(
      h('section', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, 'Revisions'), compare),
        h('p', { class: 'muted' }, 'Select two revisions to compare them.'),
        msg.el, list),
      diffCard);
    void load();
  },
};
