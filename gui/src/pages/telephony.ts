/*
 * Dashboards › Telephony: the PBX at a glance, live. Which extensions are
 * registered (n of m, and who), the trunks' registrations, the calls up now
 * (caller → callee, their time ticking each second) and today's calls,
 * answered and not. The status is read every 3 s while the page is open;
 * today's count (a query of the call records' database) when the calls up
 * change, at the next read too (the record may land a moment after the
 * channels go), and every 30 s for calls too short to be seen; the
 * configured extensions and trunks once.
 */
import { configUrl, get } from '../api';
import { h, fill } from '../dom';
import type { PageDef } from '../page';
import { banner, emptyRow, table } from '../ui';
import { callLength } from './cdr';
import { POLL_MS, registrationState, type Contacts } from './pbx';

/** A channel up, as features.pbx.detail.calls lists it. */
export interface Channel {
  channel?: string;
  caller?: string;
  callee?: string;
  state?: string;
  /** caller: the channel the call began with; callee: a leg it dialled */
  leg?: string;
  seconds?: number;
}

export interface PbxDetail {
  wanted?: boolean;
  contacts?: Contacts;
  registrations?: Record<string, { status?: string; server?: string; next_attempt?: number } | undefined>;
  calls?: Channel[];
  manager?: { state?: string } | null;
  engine?: { running?: boolean; pid?: number } | null;
}

export interface Today {
  since?: number;
  total?: number;
  answered?: number;
  unanswered?: number;
}

export interface ExtensionConf {
  number?: string | number;
  name?: string;
  enabled?: boolean;
}

export interface TrunkConf {
  name?: string;
  host?: string;
  authentication?: boolean;
  enabled?: boolean;
}

export interface Call {
  channel: string;
  caller: string;
  callee: string;
  state: string;
  seconds: number;
}

export interface TrunkState {
  name: string;
  text: string;
  tone: 'ok' | 'warn' | 'failed' | 'unknown';
}

export interface Telephony {
  running: boolean;
  extensions: number;
  registered: { number: string; name: string; where: string }[];
  trunks: TrunkState[];
  calls: Call[];
}

/** Registry states Asterisk reports for an outbound registration. */
const REG_TONE: Record<string, TrunkState['tone']> = { Registered: 'ok', Unregistered: 'warn', Rejected: 'failed', Failed: 'failed' };

/**
 * The dashboard's counts from the PBX's status and its configuration: the
 * enabled extensions and those registered; each trunk's state (one that
 * registers says how its registration stands, one reached by address that
 * it does not register); one call per caller's channel (the legs a Dial
 * made, AppDial, are the same calls).
 */
export function telephony(d: PbxDetail | null | undefined, exts: ExtensionConf[] = [], trunks: TrunkConf[] = []): Telephony {
  const contacts = d?.contacts || {};
  const on = exts.filter((e) => e.enabled !== false);
  const registered = on.flatMap((e) => {
    const r = registrationState({ number: e.number, enabled: true }, contacts);
    if (r.state !== 'registered' && r.state !== 'unreachable') return [];
    return [{ number: String(e.number ?? ''), name: e.name || '', where: r.text.replace(/^Registered(, not answering)?: /, '') }];
  });
  const regs = d?.registrations || {};
  const names = new Set([...trunks.map((t) => t.name || ''), ...Object.keys(regs)].filter(Boolean));
  const trunkStates = [...names].sort().map((name): TrunkState => {
    const conf = trunks.find((t) => t.name === name);
    const reg = regs[name];
    if (conf && conf.enabled === false) return { name, text: 'Disabled', tone: 'unknown' };
    if (reg?.status) return { name, text: reg.status, tone: REG_TONE[reg.status] || 'warn' };
    if (conf && !conf.authentication) return { name, text: 'No registration (reached by its address)', tone: 'unknown' };
    return { name, text: 'Not registered', tone: 'warn' };
  });
  const channels = d?.calls || [];
  const callers = channels.filter((c) => c.leg !== 'callee');
  const calls = (callers.length ? callers : channels).map((c) => ({
    channel: c.channel || '',
    caller: c.caller || '?',
    callee: c.callee || '?',
    state: c.state || '',
    seconds: typeof c.seconds === 'number' ? c.seconds : 0,
  }));
  return { running: !!d?.engine?.running, extensions: on.length, registered, trunks: trunkStates, calls };
}

/** "3 answered, 1 not answered". */
export function todayText(t: Today | null | undefined): string {
  if (!t || typeof t.total !== 'number') return '—';
  return `${t.answered ?? 0} answered, ${t.unanswered ?? t.total - (t.answered ?? 0)} not answered`;
}

interface StatusReply {
  features?: Record<string, { detail?: PbxDetail } | undefined>;
}

const running = <T>(path: string) => get<T>(configUrl(path) + '?running=1');

/** How often today's count is read while the calls up stay the same. */
export const TODAY_MS = 30000;

/**
 * When to read today's count: on the first read, when the channels up
 * changed (then at the next read as well), and every TODAY_MS.
 */
export function todayPlanner(every = TODAY_MS) {
  let seen: string | null = null, again = 0, at = -Infinity;
  return (channels: Channel[] | undefined, now: number): boolean => {
    const key = (channels || []).map((c) => c.channel || '').sort().join(' ');
    if (key !== seen) {
      seen = key;
      again = 2;
    }
    if (again > 0 || now - at >= every) {
      again = Math.max(0, again - 1);
      at = now;
      return true;
    }
    return false;
  };
}

export const telephonyPage: PageDef = {
  path: '/pbx/dashboard',
  title: 'Telephony',
  group: 'Dashboards',
  render(ctx) {
    const msg = banner();
    const engine = h('span', { class: 'state', 'data-test': 'tel-engine' }, '…');
    const regCount = h('p', { class: 'big', 'data-test': 'tel-registered' }, '—');
    const regList = h('ul', { class: 'calls-list', 'data-test': 'tel-registered-list' });
    const callCount = h('p', { class: 'big', 'data-test': 'tel-calls-count' }, '—');
    const callBody = h('tbody');
    const callTable = table(['Caller', 'Callee', 'State', 'Time'], [], 'tel-calls');
    callTable.querySelector('tbody')!.replaceWith(callBody);
    const today = h('p', { class: 'big', 'data-test': 'tel-today' }, '—');
    const todayDetail = h('p', { class: 'muted', 'data-test': 'tel-today-detail' });
    const trunkList = h('ul', { class: 'calls-list', 'data-test': 'tel-trunks' });
    const el = h('div', { class: 'dashboard', 'data-test': 'telephony' },
      h('div', { class: 'dash-head' }, msg.el, h('span', { class: 'muted' }, 'PBX '), engine),
      h('div', { class: 'cards' },
        h('section', { class: 'card' }, h('h2', null, 'Registered extensions'), regCount, regList),
        h('section', { class: 'card' }, h('h2', null, 'Calls up'), callCount),
        h('section', { class: 'card' }, h('h2', null, 'Calls today'), today, todayDetail),
        h('section', { class: 'card' }, h('h2', null, 'Trunks'), trunkList)),
      h('section', { class: 'card' }, h('h2', null, 'Active calls'), callTable));
    ctx.root.append(el);

    let exts: ExtensionConf[] = [];
    let trunks: TrunkConf[] = [];
    let detail: PbxDetail | null = null;
    let readAt = Date.now();
    let stopped = false;
    let reading = false;
    const wantToday = todayPlanner();

    const paintCalls = () => {
      const t = telephony(detail, exts, trunks);
      const gone = (Date.now() - readAt) / 1000;
      fill(callBody, t.calls.length
        ? t.calls.map((c) => h('tr', { 'data-test': 'tel-call', 'data-caller': c.caller, 'data-callee': c.callee },
          h('td', { 'data-label': 'Caller' }, c.caller),
          h('td', { 'data-label': 'Callee' }, c.callee),
          h('td', { 'data-label': 'State' }, c.state || '—'),
          h('td', { 'data-label': 'Time', class: 'seconds', 'data-test': 'tel-call-time' }, callLength(c.seconds + gone))))
        : [emptyRow(4, 'No calls now.')]);
    };

    const paint = () => {
      const t = telephony(detail, exts, trunks);
      engine.textContent = t.running ? 'running' : detail?.wanted === false ? 'off' : 'stopped';
      engine.className = 'state state-' + (t.running ? 'ok' : 'stopped');
      regCount.textContent = `${t.registered.length} of ${t.extensions}`;
      fill(regList, t.registered.length
        ? t.registered.map((r) => h('li', { 'data-test': 'tel-ext', 'data-number': r.number }, h('strong', null, `${r.number}${r.name ? ' ' + r.name : ''}`), h('span', { class: 'muted' }, r.where)))
        : [h('li', { class: 'muted' }, 'No extension is registered.')]);
      fill(trunkList, t.trunks.length
        ? t.trunks.map((r) => h('li', { 'data-test': 'tel-trunk', 'data-name': r.name }, h('strong', null, r.name), h('span', { class: 'state state-' + r.tone }, r.text)))
        : [h('li', { class: 'muted' }, 'No trunks.')]);
      callCount.textContent = String(t.calls.length);
      paintCalls();
      el.dataset.updated = String(Date.now());
    };

    const tick = async () => {
      if (stopped || reading) return;
      reading = true;
      try {
        const st = await get<StatusReply>('/status');
        if (stopped) return;
        detail = st?.features?.pbx?.detail || {};
        readAt = Date.now();
        const td = wantToday(detail.calls, readAt) ? await get<Today>('/pbx/calls-today').catch(() => null) : null;
        if (stopped) return;
        if (td) {
          today.textContent = String(td.total ?? '—');
          todayDetail.textContent = todayText(td);
        }
        msg.set(null);
        paint();
      } catch (e) {
        if (!stopped) msg.error(e);
      } finally {
        reading = false;
      }
    };
    Promise.all([
      running<ExtensionConf[]>('extensions.list').catch(() => []),
      running<TrunkConf[]>('trunks.list').catch(() => []),
    ]).then(([e, t]) => {
      exts = Array.isArray(e) ? e : [];
      trunks = Array.isArray(t) ? t : [];
      if (detail) paint();
    });
    const poll = setInterval(() => void tick(), POLL_MS);
    const clock = setInterval(() => {
      if (detail?.calls?.length) paintCalls();
    }, 1000);
    void tick();
    ctx.onLeave(() => {
      stopped = true;
      clearInterval(poll);
      clearInterval(clock);
    });
  },
};
