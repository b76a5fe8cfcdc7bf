/*
 * Administration › System › Region & Time: the router's time, ticking every
 * second from the last reading and read again every 30 s; "Sync with NTP
 * Server"; the timezone (chosen from the router's IANA list) and the NTP
 * servers.
 */
import { get, post } from '../api';
import { h } from '../dom';
import type { PageCtx } from '../page';
import { sectionForm } from '../section';
import { chooser } from '../suggest';
import { banner, busy } from '../ui';

export interface NtpSource {
  address: string;
  state: string;
  stratum: number;
  reach: number;
}

export interface TimeStatus {
  now_ms: number;
  timezone?: string;
  abbreviation?: string;
  utc_offset?: number;
  ntp?: {
    running?: boolean;
    synchronised?: boolean;
    clock_control?: boolean;
    sources?: NtpSource[] | null;
    sync?: { state: string; burst?: string; step?: string } | null;
  };
}

export const TIME_REFRESH_MS = 30000;
export const TIME_TICK_MS = 1000;

const two = (n: number) => String(n).padStart(2, '0');

/** The router's wall time at ms (UTC) in its zone, as "2026-03-01 14:05:09 CET". */
export function routerTime(ms: number, offsetS: number, abbr: string): string {
  const d = new Date(ms + offsetS * 1000);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}${abbr ? ' ' + abbr : ''}`;
}

function ntpLine(st: TimeStatus): string {
  const ntp = st.ntp || {};
  if (!ntp.running) return 'NTP is off: no server is set.';
  const src = (ntp.sources || []).find((s) => s.state === 'selected');
  const words = ntp.synchronised && src ? `Synchronised with ${src.address} (stratum ${src.stratum}).` : 'Not synchronised yet.';
  return ntp.clock_control === false ? `${words} This router does not set its clock.` : words;
}

function syncLine(st: TimeStatus): string {
  const s = st.ntp?.sync;
  if (!s) return '';
  if (s.state === 'running') return 'Syncing…';
  return `Last sync: measurements ${s.burst || '?'}, clock step ${s.step || '?'}.`;
}

export function clockCard(ctx: Pick<PageCtx, 'onLeave'>): HTMLElement {
  const msg = banner('time-banner');
  const clock = h('p', { class: 'clock', 'data-test': 'router-time', 'aria-live': 'off' }, 'Loading…');
  const zone = h('p', { class: 'muted', 'data-test': 'router-zone' });
  const ntp = h('p', { 'data-test': 'ntp-state' });
  const sync = h('p', { class: 'muted', 'data-test': 'sync-state' });
  let last: TimeStatus | null = null;
  let readAt = 0;
  let stopped = false;
  const stop = () => {
    stopped = true;
    clearInterval(ticker);
    clearInterval(refresh);
  };
  const show = () => {
    if (!last) return;
    // another tab took the panel: this card is gone for good
    if (!clock.isConnected) return stop();
    clock.textContent = routerTime(last.now_ms + (Date.now() - readAt), last.utc_offset || 0, last.abbreviation || '');
  };
  const read = async () => {
    try {
      const st = await get<TimeStatus>('/time');
      if (stopped) return;
      last = st;
      readAt = Date.now();
      zone.textContent = `Timezone ${st.timezone || 'UTC'}`;
      ntp.textContent = ntpLine(st);
      sync.textContent = syncLine(st);
      show();
    } catch (e) {
      if (!stopped) msg.error(e);
    }
  };
  const button: HTMLButtonElement = h('button', {
    type: 'button', class: 'primary', 'data-test': 'sync-ntp',
    onclick: () => busy(button, async () => {
      msg.set(null);
      try {
        await post('/time/sync');
        sync.textContent = 'Syncing…';
        // the burst takes a few seconds: read again soon
        setTimeout(() => void read(), 5000);
      } catch (e) {
        msg.error(e);
      }
    }),
  }, 'Sync with NTP Server');
  const ticker = setInterval(show, TIME_TICK_MS);
  const refresh = setInterval(() => void read(), TIME_REFRESH_MS);
  ctx.onLeave(stop);
  void read();
  return h('section', { class: 'card', 'data-test': 'clock-card' }, h('h2', null, "The router's time"),
    msg.el, clock, zone, ntp, sync, h('div', { class: 'form-actions' }, button));
}

/** The time section's form, its timezone a select of the router's zones. */
export function timeForm(): HTMLElement {
  return sectionForm('time', {
    heading: 'Region & Time',
    enhance: (form) => {
      const f = form.fields.get('time.timezone');
      if (!f) return;
      void get<{ zones: string[] }>('/time/zones').then(
        (r) => chooser(f, (r.zones || []).map((z) => ({ value: z, label: z.replace(/_/g, ' ') })),
          { missing: (v) => `${v} (not a known zone)` }),
        () => {});
    },
  });
}

export function regionTimeTab(ctx: Pick<PageCtx, 'onLeave'>, panel: HTMLElement): void {
  const card = clockCard(ctx);
  panel.append(card, timeForm());
}
