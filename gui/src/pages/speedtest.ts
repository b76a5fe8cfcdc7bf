/*
 * Administration › Utilities › Speed Tester: Start runs a test of the WAN
 * in the router (speedtest.start), the page follows its phase and rate
 * every second while it runs, then shows the result and the ones kept
 * (the last 20, also those run from Bandwidth Control's page). Under them,
 * the server the test runs against.
 */
import { get, post } from '../api';
import { h } from '../dom';
import { time } from '../format';
import type { PageCtx } from '../page';
import { sectionForm } from '../section';
import { banner, emptyRow, table } from '../ui';

export interface SpeedResult {
  download_mbps: number;
  upload_mbps: number;
  latency_ms: number;
  jitter_ms?: number;
  at: number;
  server?: string;
  interface?: string | null;
  duration_s?: number;
}

export interface SpeedStatus {
  running: boolean;
  phase: string;
  started?: number | null;
  server?: string | null;
  progress?: { phase?: string; bytes: number; requests: number; mbps: number } | null;
  error?: string | null;
  last?: SpeedResult | null;
  results?: SpeedResult[];
}

export const SPEEDTEST_POLL_MS = 1000;

/** SQM's share of a measured speed: 90 %, in the 85-95 % usually advised. */
export const SQM_FROM_SPEEDTEST = 0.9;

/** The SQM speeds (Mbps, to 0.1) from a speed test's result. */
export function sqmFromSpeedTest(r: SpeedResult, factor = SQM_FROM_SPEEDTEST): { download: number; upload: number } {
  const f = (v: number) => Math.max(0.1, Math.round(v * factor * 10) / 10);
  return { download: f(r.download_mbps), upload: f(r.upload_mbps) };
}

const mbps = (v: number | undefined) => (typeof v === 'number' ? `${v.toFixed(1)} Mbit/s` : '—');
const ms = (v: number | undefined) => (typeof v === 'number' ? `${v.toFixed(1)} ms` : '—');

const PHASES: Record<string, string> = {
  starting: 'Starting…',
  latency: 'Measuring the latency…',
  download: 'Measuring the download…',
  upload: 'Measuring the upload…',
};

/** The line shown while a test runs: its phase, what moved, the rate now. */
export function progressLine(s: SpeedStatus): string {
  const p = s.progress;
  const phase = PHASES[p?.phase || 'starting'] || 'Running…';
  if (!p || p.phase === 'latency' || !p.phase) return phase;
  return `${phase} ${(p.bytes / 1e6).toFixed(1)} MB, ${mbps(p.mbps)}`;
}

function resultCard(r: SpeedResult): HTMLElement {
  const item = (label: string, value: string, test: string) => [h('dt', null, label), h('dd', { 'data-test': test }, value)];
  return h('div', { 'data-test': 'speedtest-result' },
    h('dl', { class: 'facts' },
      item('Download', mbps(r.download_mbps), 'speedtest-download'),
      item('Upload', mbps(r.upload_mbps), 'speedtest-upload'),
      item('Latency', ms(r.latency_ms), 'speedtest-latency'),
      item('Jitter', ms(r.jitter_ms), 'speedtest-jitter')),
    h('p', { class: 'muted' }, `${time(r.at)} against ${r.server || 'the server'}${r.interface ? ' out of ' + r.interface : ''}`));
}

function historyTable(results: SpeedResult[]): HTMLElement {
  const rows = [...results].reverse().map((r) => h('tr', null,
    h('td', null, time(r.at)), h('td', null, mbps(r.download_mbps)), h('td', null, mbps(r.upload_mbps)),
    h('td', null, ms(r.latency_ms))));
  return table(['When', 'Download', 'Upload', 'Latency'], rows.length ? rows : [emptyRow(4, 'No speed test yet.')], 'speedtest-history');
}

/** The Speed Tester tab: Start, the progress, the results, the server's settings. */
export function speedTestTab(ctx: Pick<PageCtx, 'onLeave'>, panel: HTMLElement): void {
  const msg = banner('speedtest-banner');
  const progress = h('p', { 'data-test': 'speedtest-progress', 'aria-live': 'polite', hidden: true });
  const result = h('div', { 'data-test': 'speedtest-last' });
  const history = h('div');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  const show = (s: SpeedStatus) => {
    start.disabled = s.running;
    progress.hidden = !s.running;
    progress.textContent = s.running ? progressLine(s) : '';
    if (!s.running && s.phase === 'failed' && s.error) msg.set('error', `The last speed test failed: ${s.error}`);
    result.replaceChildren(s.last ? resultCard(s.last) : h('p', { class: 'muted' }, 'No speed test yet.'));
    history.replaceChildren(historyTable(s.results || []));
  };
  const read = async () => {
    try {
      const s = await get<SpeedStatus>('/speedtest');
      if (stopped) return;
      // another tab took the panel: this one is gone for good
      if (!progress.isConnected) return stop();
      show(s);
      // follow it while it runs
      if (s.running) timer = setTimeout(() => void read(), SPEEDTEST_POLL_MS);
    } catch (e) {
      if (stopped) return;
      msg.error(e);
      start.disabled = false;
    }
  };
  const start: HTMLButtonElement = h('button', {
    type: 'button', class: 'primary', 'data-test': 'speedtest-start',
    // disabled while a test runs: the reading that follows says when it ends
    onclick: async () => {
      start.disabled = true;
      msg.set(null);
      try {
        await post('/speedtest/start');
      } catch (e) {
        msg.error(e);
        start.disabled = false;
        return;
      }
      clearTimeout(timer);
      await read();
    },
  }, 'Start');
  ctx.onLeave(stop);
  panel.append(
    h('section', { class: 'card', 'data-test': 'speedtest-card' }, h('h2', null, 'Speed Tester'),
      h('p', { class: 'muted' }, "Measures the WAN's download, upload and latency against the speed-test server (Cloudflare's by default). A test moves tens of megabytes and takes up to a minute; traffic of the LAN meanwhile lowers what it finds."),
      msg.el, h('div', { class: 'form-actions' }, start), progress, result,
      h('h3', null, 'Results kept'), history),
    sectionForm('speedtest', { heading: 'Server' }));
  void read();
}
