/*
 * Firewall › Bandwidth Control: QoS (default rates, limits by IP and by
 * MAC, whitelist) and SQM (settings, whether this router can run it, and
 * the speeds filled in from the advertised ones or from the last speed test).
 */
import { offerClients } from '../clients';
import { errorText, get } from '../api';
import { openDialog } from '../dialog';
import { h, uid } from '../dom';
import { time } from '../format';
import type { PageDef } from '../page';
import { schemaTabs } from '../schematabs';
import { sectionForm } from '../section';
import type { Entry, TableOptions } from '../table';
import { banner, busy } from '../ui';
import { checkScalar } from '../validate';
import { SQM_FROM_SPEEDTEST, sqmFromSpeedTest, type SpeedStatus } from './speedtest';

interface SqmStatus {
  available?: boolean;
  reason?: string;
  enabled?: boolean;
  interface?: string;
  autofill_factor?: number;
}

/** A limit's rate: its own, or the default one. */
const rate = (v: unknown) => (typeof v === 'number' ? `${v} Mbps` : 'default');

/** What the SQM status says, as a banner: null when SQM can run. */
export function sqmNotice(s: SqmStatus): string | null {
  if (s.available !== false) return null;
  return `SQM is not available on this router${s.reason ? ': ' + s.reason : ''}. ` +
    'Settings can be saved, but an apply with SQM enabled fails and is rolled back.';
}

/** Reads a speed typed in Mbps, as the kind rate reads it: a positive number, or an error sentence. */
export function readSpeed(text: string): number | string {
  const r = checkScalar({ 'x-difos-kind': 'rate' }, text.trim());
  return r.error ?? (r.value as number);
}

function sqmStatusCard(): HTMLElement {
  const msg = banner('sqm-status');
  const el = h('div', { 'data-test': 'sqm-status-box' }, msg.el);
  get<SqmStatus>('/qos/sqm').then((s) => {
    const notice = sqmNotice(s);
    if (notice) {
      msg.set('error', notice);
      msg.el.dataset.available = 'false';
    } else {
      msg.set('info', `SQM can run here (cake on ${s.interface || 'the WAN'}). Set 90-95 % of the speeds your ISP advertises, or use Auto fill speeds.`);
      msg.el.dataset.available = 'true';
    }
  }, (e) => msg.error(e));
  return el;
}

/**
 * The "Auto fill speeds" dialog: asks the advertised speeds, asks the router
 * for the SQM speeds, puts them into the form's fields (then Save stages them).
 */
function autofill(card: HTMLElement): void {
  const msg = banner('autofill-banner');
  const mk = (key: string, title: string) => {
    const id = uid('adv');
    const input = h('input', { type: 'text', id, name: key, inputmode: 'decimal', autocomplete: 'off', 'aria-describedby': id + '-err' });
    const err = h('p', { class: 'field-error', id: id + '-err', 'data-test': 'error-' + key, 'aria-live': 'polite' });
    return { input, err, wrap: h('div', { class: 'field' }, h('label', { for: id }, title), input, err) };
  };
  const down = mk('advertised_download', 'Advertised download (Mbps)');
  const up = mk('advertised_upload', 'Advertised upload (Mbps)');
  const go = h('button', { type: 'submit', class: 'primary', 'data-test': 'autofill-go' }, 'Fill in');
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close() }, 'Cancel');
  const form = h('form', { class: 'form', novalidate: true, 'data-test': 'autofill-form' },
    h('p', { class: 'muted' }, 'The speeds your ISP sells you; SQM works best a little below them.'),
    msg.el, down.wrap, up.wrap, h('div', { class: 'form-actions' }, go, cancel));
  const dlg = openDialog({ title: 'Auto fill speeds', body: form, test: 'autofill-dialog' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.set(null);
    const vals = [down, up].map((f) => {
      const r = readSpeed(f.input.value);
      f.err.textContent = typeof r === 'string' ? r : '';
      if (typeof r === 'string') f.input.setAttribute('aria-invalid', 'true');
      else f.input.removeAttribute('aria-invalid');
      return r;
    });
    const bad = [down, up].find((_, i) => typeof vals[i] === 'string');
    if (bad) {
      bad.input.focus();
      return;
    }
    void busy(go, async () => {
      let r: { download: number; upload: number };
      try {
        r = await get(`/qos/sqm/autofill?advertised_download=${vals[0]}&advertised_upload=${vals[1]}`);
      } catch (err) {
        msg.error(err);
        return;
      }
      dlg.close();
      fillSqm(card, r.download, r.upload, '');
    });
  });
}

/** Puts speeds into the SQM form's fields and says so (Save stages them). */
function fillSqm(card: HTMLElement, download: number, upload: number, why: string): void {
  const set = (name: string, v: number) => {
    const input = card.querySelector<HTMLInputElement>(`[name="${name}"]`);
    if (!input) return;
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  set('sqm.download', download);
  set('sqm.upload', upload);
  const note = card.querySelector<HTMLElement>('[data-test="banner"]');
  if (note) {
    note.hidden = false;
    note.className = 'banner info';
    note.textContent = `Filled in ${download} / ${upload} Mbps${why}. Save to stage them.`;
  }
}

/**
 * "Auto fill from the last speed test": 90 % of the last measured speeds.
 * A measurement is already what the line delivers (below what is
 * advertised), so the share is a little under the advertised speeds' 92 %:
 * SQM's queue must be the narrowest point to keep the latency low.
 */
async function autofillFromSpeedTest(card: HTMLElement, btn: HTMLButtonElement): Promise<void> {
  await busy(btn, async () => {
    const note = card.querySelector<HTMLElement>('[data-test="banner"]');
    let s: SpeedStatus;
    try {
      s = await get<SpeedStatus>('/speedtest');
    } catch (err) {
      if (note) {
        note.hidden = false;
        note.className = 'banner error';
        note.textContent = errorText(err);
      }
      return;
    }
    if (!s.last) {
      if (note) {
        note.hidden = false;
        note.className = 'banner error';
        note.replaceChildren('No speed test yet: run one in ',
          h('a', { href: '#/utilities?tab=speedtest' }, 'Administration › Utilities › Speed Tester'), '.');
      }
      return;
    }
    const r = sqmFromSpeedTest(s.last);
    fillSqm(card, r.download, r.upload,
      ` (${Math.round(SQM_FROM_SPEEDTEST * 100)} % of the speed test of ${time(s.last.at)}: ${s.last.download_mbps} / ${s.last.upload_mbps} Mbit/s)`);
  });
}

function sqmTab(panel: HTMLElement): void {
  const fromTest: HTMLButtonElement = h('button', {
    type: 'button', class: 'secondary', 'data-test': 'autofill-speedtest',
    onclick: () => void autofillFromSpeedTest(card, fromTest),
  }, 'Auto fill from the last speed test');
  const card: HTMLElement = sectionForm('sqm', {
    heading: 'Smart queue management',
    actions: () => [h('button', { type: 'button', class: 'secondary', 'data-test': 'autofill', onclick: () => autofill(card) }, 'Auto fill speeds'), fromTest],
  });
  panel.append(sqmStatusCard(), card);
}

/** The table of limits by IP or by MAC: each rate, or "default". */
function limits(key: 'ip' | 'mac', noun: string, intro: string): Partial<TableOptions> {
  return {
    noun,
    intro,
    columns: [key, 'download', 'upload', 'description'],
    enhance: (form) => offerClients(form, key === 'ip' ? { ip: 'qos.by_ip.ip' } : { mac: 'qos.by_mac.mac' }),
    cells: {
      download: { title: 'Download', render: (e: Entry) => rate(e.download) },
      upload: { title: 'Upload', render: (e: Entry) => rate(e.upload) },
    },
  };
}

export const bandwidthPage: PageDef = {
  path: '/bandwidth',
  title: 'Bandwidth Control',
  group: 'Firewall',
  render(ctx) {
    schemaTabs(ctx, ['qos', 'sqm'], {
      forms: { qos: { heading: 'General settings' } },
      tables: {
        'qos.by_ip': limits('ip', 'IP limit', 'A client limited by its LAN address; without its own rates it gets the default ones. A client whose address changes escapes the limit.'),
        'qos.by_mac': limits('mac', 'MAC limit', 'A client limited by its hardware address (see the static leases of DNS & DHCP); harder to escape than a limit by IP.'),
      },
      draw: { sqm: sqmTab },
    });
  },
};
