/*
 * PBX › Call Detail Records: the calls, the newest first, filtered (dates,
 * number, how they ended) and paged; a call with a recording has Play and
 * Download, which fetch the recording in pieces of at most 1 MiB (the API's
 * base64) and join them into one Blob in the browser. Below: the "cdr"
 * section (how long records and recordings are kept), with a hint while the
 * recordings stay on the router's own storage.
 */
import { configUrl, get } from '../api';
import { h, fill } from '../dom';
import { time } from '../format';
import type { PageDef } from '../page';
import { setQuery } from '../router';
import { sectionForm } from '../section';
import { banner, busy, emptyRow, table } from '../ui';

export interface CallRecord {
  time?: string;
  start?: number;
  src?: string;
  dst?: string;
  clid?: string;
  duration?: number;
  billsec?: number;
  disposition?: string;
  trunk?: string | null;
  recording?: string | null;
  uniqueid?: string;
}

export interface CallList {
  calls: CallRecord[];
  total: number;
  limit?: number;
  offset?: number;
}

export interface Filters {
  from?: string;
  to?: string;
  number?: string;
  disposition?: string;
}

export const DISPOSITIONS = ['ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CONGESTION'];
export const PAGE_SIZE = 25;

/** A call's length: "0:07", "12:03", "1:02:03"; '—' for no number. */
export function callLength(secs: number | undefined | null): string {
  if (typeof secs !== 'number' || !Number.isFinite(secs) || secs < 0) return '—';
  const s = Math.floor(secs), hh = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const p = (x: number) => String(x).padStart(2, '0');
  return hh ? `${hh}:${p(m)}:${p(r)}` : `${m}:${p(r)}`;
}

/** The query of GET /pbx/cdr: the filters given (trimmed), the page's limit and offset. */
export function cdrQuery(f: Filters, offset: number, limit = PAGE_SIZE): string {
  const q = new URLSearchParams();
  for (const k of ['from', 'to', 'number', 'disposition'] as const) {
    const v = (f[k] || '').trim();
    if (v) q.set(k, v);
  }
  q.set('limit', String(limit));
  q.set('offset', String(Math.max(0, offset)));
  return q.toString();
}

/** "1-25 of 60"; "No calls" when there are none. */
export function pageText(offset: number, shown: number, total: number): string {
  if (!total) return 'No calls';
  if (!shown) return `None here of ${total}`;
  return `${offset + 1}-${offset + shown} of ${total}`;
}

/** One piece of a recording, as GET /pbx/recording answers. */
export interface Piece {
  file?: string;
  size: number;
  offset: number;
  length?: number;
  data: string;
}

/** The bytes of a base64 text. */
export function base64Bytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The recording as one audio Blob from its pieces, each checked to start where the last ended. */
export function recordingBlob(pieces: Piece[], type = 'audio/wav'): Blob {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let at = 0;
  for (const p of pieces) {
    if (p.offset !== at) throw new Error(`The recording came in pieces that do not join (byte ${p.offset}, expected ${at}).`);
    const bytes = base64Bytes(p.data || '');
    parts.push(bytes);
    at += bytes.length;
  }
  const size = pieces.length ? pieces[pieces.length - 1].size : 0;
  if (at !== size) throw new Error(`The recording is cut short: ${at} of ${size} bytes.`);
  return new Blob(parts, { type });
}

/** Reads a recording piece by piece (read: the API's GET), then joins it. */
export async function fetchRecording(file: string, read: (path: string) => Promise<Piece> = (p) => get<Piece>(p)): Promise<Blob> {
  const pieces: Piece[] = [];
  let offset = 0;
  for (;;) {
    const p = await read(`/pbx/recording?${new URLSearchParams({ file, offset: String(offset) })}`);
    if (!p || typeof p.size !== 'number' || typeof p.data !== 'string') throw new Error(`The router's answer for ${file} holds no recording.`);
    pieces.push(p);
    const got = typeof p.length === 'number' ? p.length : base64Bytes(p.data).length;
    offset = p.offset + got;
    if (offset >= p.size) break;
    if (!got) throw new Error(`The recording ${file} stopped at byte ${offset} of ${p.size}.`);
  }
  return recordingBlob(pieces);
}

const DISPOSITION_TONE: Record<string, string> = { ANSWERED: 'ok', 'NO ANSWER': 'warn', BUSY: 'warn', FAILED: 'failed', CONGESTION: 'failed' };

function callRow(c: CallRecord, player: (c: CallRecord, how: 'play' | 'download', btn: HTMLButtonElement) => void): HTMLTableRowElement {
  const actions = c.recording
    ? [
        h('button', { type: 'button', class: 'small secondary', 'data-test': 'play', 'aria-label': `Play the recording of the call from ${c.src} to ${c.dst}`, onclick: (e: Event) => player(c, 'play', e.currentTarget as HTMLButtonElement) }, 'Play'),
        ' ',
        h('button', { type: 'button', class: 'small secondary', 'data-test': 'download', 'aria-label': `Download the recording of the call from ${c.src} to ${c.dst}`, onclick: (e: Event) => player(c, 'download', e.currentTarget as HTMLButtonElement) }, 'Download'),
      ]
    : '—';
  return h('tr', { 'data-test': 'call', 'data-src': c.src || '', 'data-dst': c.dst || '', 'data-recording': c.recording || '' },
    h('td', { 'data-label': 'Time' }, c.start ? time(c.start) : c.time || '—'),
    h('td', { 'data-label': 'From' }, c.src || '—'),
    h('td', { 'data-label': 'To' }, c.dst || '—'),
    h('td', { 'data-label': 'Duration', title: `${callLength(c.billsec)} talking of ${callLength(c.duration)}` }, callLength(c.duration)),
    h('td', { 'data-label': 'Talked' }, callLength(c.billsec)),
    h('td', { 'data-label': 'Result' }, h('span', { class: 'state state-' + (DISPOSITION_TONE[c.disposition || ''] || 'unknown') }, c.disposition || '—')),
    h('td', { 'data-label': 'Trunk' }, c.trunk || '—'),
    h('td', { 'data-label': 'Recording', class: 'row-actions' }, actions));
}

export const RECORDINGS_HINT = 'The recordings are kept on the router\'s own storage. Voice recordings should live on a non-volatile drive ' +
  '(an SSD or a USB stick): set its folder in PBX › Settings › Extras.';

export const cdrPage: PageDef = {
  path: '/pbx/cdr',
  title: 'Call Detail Records',
  group: 'PBX',
  render(ctx) {
    const msg = banner();
    const q = ctx.query;
    const input = (name: string, label: string, type: string, extra: Record<string, unknown> = {}) => {
      const el = h('input', { type, name, id: 'cdr-' + name, value: q.get(name) || '', 'data-test': 'filter-' + name, ...extra });
      return { el, field: h('div', { class: 'field' }, h('label', { for: 'cdr-' + name }, label), el) };
    };
    const from = input('from', 'From (date)', 'date');
    const to = input('to', 'To (date)', 'date');
    const number = input('number', 'Number', 'text', { inputmode: 'tel', pattern: '[0-9*#+]*', placeholder: 'caller or called' });
    const disposition = h('select', { name: 'disposition', id: 'cdr-disposition', 'data-test': 'filter-disposition' },
      h('option', { value: '' }, 'Any'), DISPOSITIONS.map((d) => h('option', { value: d, selected: q.get('disposition') === d }, d)));
    const search = h('button', { type: 'submit', class: 'primary', 'data-test': 'search' }, 'Search');
    const filters = h('form', { class: 'filters', 'data-test': 'cdr-filters', role: 'search' },
      from.field, to.field, number.field,
      h('div', { class: 'field' }, h('label', { for: 'cdr-disposition' }, 'Result'), disposition),
      h('div', { class: 'field' }, search));
    const body = h('tbody');
    const list = table(['Time', 'From', 'To', 'Duration', 'Talked', 'Result', 'Trunk', 'Recording'], [], 'cdr');
    list.querySelector('tbody')!.replaceWith(body);
    const count = h('span', { class: 'count', 'data-test': 'cdr-count' });
    const prev = h('button', { type: 'button', class: 'small secondary', 'data-test': 'prev', disabled: true }, '‹ Newer');
    const next = h('button', { type: 'button', class: 'small secondary', 'data-test': 'next', disabled: true }, 'Older ›');
    const playerMsg = banner('player-banner');
    const audio = h('audio', { controls: true, preload: 'auto', 'data-test': 'player', 'aria-label': 'Call recording', hidden: true });
    const playing = h('p', { class: 'muted', 'data-test': 'playing' });
    const hint = h('p', { class: 'banner info', 'data-test': 'recordings-hint', hidden: true }, RECORDINGS_HINT);
    const card = h('section', { class: 'card', 'data-test': 'cdr-card' },
      h('div', { class: 'card-head' }, h('h2', null, 'Calls'), count),
      msg.el, filters, list,
      h('div', { class: 'pager' }, prev, next),
      h('div', { class: 'player' }, playerMsg.el, playing, audio));
    ctx.root.append(hint, card, sectionForm('cdr', { heading: 'Retention' }));

    let offset = Math.max(0, Number(q.get('offset')) || 0);
    let url: string | null = null;
    let left = false;
    ctx.onLeave(() => {
      left = true;
      audio.pause();
      if (url) URL.revokeObjectURL(url);
    });

    const current = (): Filters => ({ from: from.el.value, to: to.el.value, number: number.el.value, disposition: disposition.value });
    const load = async () => {
      const f = current();
      setQuery(Object.fromEntries(Object.entries({ ...f, offset: offset ? String(offset) : '' }).filter(([, v]) => v)) as Record<string, string>);
      try {
        const r = await get<CallList>('/pbx/cdr?' + cdrQuery(f, offset));
        if (left) return;
        msg.set(null);
        const calls = r?.calls || [];
        const total = r?.total || 0;
        fill(body, calls.length ? calls.map((c) => callRow(c, player)) : [emptyRow(8, total ? 'No calls on this page.' : 'No calls match.')]);
        count.textContent = pageText(offset, calls.length, total);
        count.dataset.total = String(total);
        prev.disabled = offset <= 0;
        next.disabled = offset + calls.length >= total;
        card.dataset.loaded = String(Date.now());
      } catch (e) {
        if (!left) msg.error(e);
      }
    };

    const player = (c: CallRecord, how: 'play' | 'download', btn: HTMLButtonElement) => {
      const file = c.recording!;
      playerMsg.set(null);
      void busy(btn, async () => {
        let blob: Blob;
        try {
          blob = await fetchRecording(file);
        } catch (e) {
          playerMsg.set('error', `Cannot get the recording ${file}: ${e instanceof Error ? e.message : String(e)}`);
          return;
        }
        if (left) return;
        if (how === 'download') {
          // a URL of its own: the one playing stays valid
          const href = URL.createObjectURL(blob);
          const a = h('a', { href, download: file, hidden: true });
          document.body.append(a);
          a.click();
          a.remove();
          setTimeout(() => URL.revokeObjectURL(href), 60000);
          return;
        }
        if (url) URL.revokeObjectURL(url);
        url = URL.createObjectURL(blob);
        playing.textContent = `Playing the call from ${c.src} to ${c.dst} (${c.start ? time(c.start) : c.time}): ${file}`;
        audio.hidden = false;
        audio.dataset.file = file;
        audio.src = url;
        audio.play().catch(() => {
          // no autoplay allowed: the controls are there to press Play
        });
      });
    };
    audio.addEventListener('error', () => {
      if (audio.src) playerMsg.set('error', `The browser cannot play ${audio.dataset.file || 'the recording'} (not a WAV file it reads?). Download it instead.`);
    });

    filters.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!number.el.checkValidity()) {
        msg.set('error', `Number: "${number.el.value}" is not a number (digits, *, #, +).`);
        return;
      }
      offset = 0;
      void busy(search, load);
    });
    prev.addEventListener('click', () => {
      offset = Math.max(0, offset - PAGE_SIZE);
      void load();
    });
    next.addEventListener('click', () => {
      offset += PAGE_SIZE;
      void load();
    });
    void load();

    // where the recordings go: the router's storage unless a drive is set
    get<Record<string, unknown> | null>(configUrl('pbx') + '?running=1').then((p) => {
      if (!left) hint.hidden = !!p?.recordings_path;
    }, () => {});
  },
};
