/*
 * Administration › System › Backup & Updates: "Create Backup File" (with an
 * optional passphrase) downloads the file the router makes, read in pieces
 * (POST /backup, /backup/download); a file to restore goes up in pieces
 * (/backup/upload), is checked (/backup/inspect: its manifest and its
 * changes against the running configuration), and only then restored
 * (/backup/restore), an apply with the confirm countdown (runConfirmed).
 */
import { ApiError, errorText, post } from '../api';
import { runConfirmed, type ApplyResult } from '../apply';
import { changeList, type Change } from '../changes';
import { openDialog } from '../dialog';
import { h, fill } from '../dom';
import { banner, busy } from '../ui';
import { base64Bytes } from './cdr';

/** The size of a piece sent (the router takes at most 512 KiB). */
export const UPLOAD_PIECE = 384 * 1024;

interface Made { file: string; size: number; name: string }
interface Piece { data: string; offset: number; size: number; eof: boolean }
export interface Manifest {
  format: number;
  difos_version?: string;
  schema_version?: number;
  created?: string;
  hostname?: string;
  encrypted?: boolean;
}
export interface Inspected {
  manifest: Manifest;
  changes: Change[];
  encrypted: boolean;
  staged: boolean;
  revisions: number;
  certificate: boolean;
}

/** base64 of bytes, a block at a time (String.fromCharCode takes a bounded list). */
export function bytesBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The backup made, read piece by piece, as one Blob. */
export async function downloadBackup(file: string, read = (off: number) => post<Piece>('/backup/download', { file, offset: off })): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let at = 0;
  for (;;) {
    const p = await read(at);
    if (p.offset !== at) throw new Error(`The backup came in pieces that do not join (byte ${p.offset}, expected ${at}).`);
    const bytes = base64Bytes(p.data || '');
    parts.push(bytes);
    at += bytes.length;
    if (p.eof || at >= p.size) break;
    if (!bytes.length) throw new Error(`The backup stopped at byte ${at} of ${p.size}.`);
  }
  return new Blob(parts, { type: 'application/octet-stream' });
}

/** Sends the file's bytes in pieces; the router's id for them. */
export async function uploadBackup(bytes: Uint8Array, send = (body: Record<string, unknown>) => post<{ file: string; size: number }>('/backup/upload', body)): Promise<string> {
  let file = '';
  let off = 0;
  do {
    const piece = bytes.subarray(off, off + UPLOAD_PIECE);
    const r = await send({ data: bytesBase64(piece), offset: off, ...(file ? { file } : {}) });
    file = r.file;
    off += piece.length;
    if (r.size !== off) throw new Error(`The router holds ${r.size} bytes of the file, not ${off}.`);
  } while (off < bytes.length);
  return file;
}

function manifestLines(m: Inspected): HTMLElement {
  const man = m.manifest;
  const row = (k: string, v: string, test: string) => h('div', null, h('dt', null, k), h('dd', { 'data-test': test }, v));
  return h('dl', { class: 'facts', 'data-test': 'backup-manifest' },
    row('Router', man.hostname || '—', 'backup-host'),
    row('Made', man.created || '—', 'backup-created'),
    row('difos', `${man.difos_version || '?'} (schema ${man.schema_version ?? '?'})`, 'backup-version'),
    row('Encrypted', m.encrypted ? 'yes' : 'no', 'backup-encrypted'),
    row('Also holds', [`${m.revisions} revision${m.revisions === 1 ? '' : 's'}`, m.staged ? 'staged changes' : '',
      m.certificate ? 'the TLS certificate' : ''].filter(Boolean).join(', '), 'backup-holds'));
}

export function backupCard(): HTMLElement {
  const msg = banner('backup-banner');
  const pass = h('input', { type: 'password', id: 'backup-pass', name: 'backup-pass', autocomplete: 'new-password', 'data-test': 'backup-passphrase' });
  const create = h('button', { type: 'submit', class: 'create', 'data-test': 'create-backup' }, 'Create Backup File');
  const makeForm = h('form', { class: 'form inline', novalidate: true, 'data-test': 'backup-form' },
    h('div', { class: 'field' }, h('label', { for: 'backup-pass' }, 'Passphrase (optional)'), pass,
      h('p', { class: 'help' }, 'Encrypts the file. Without one the file holds the configuration\'s secrets (passwords, keys) readable: keep it safe.')),
    h('div', { class: 'form-actions' }, create));
  makeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.set(null);
    void busy(create, async () => {
      try {
        const made = await post<Made>('/backup', pass.value ? { passphrase: pass.value } : {});
        const blob = await downloadBackup(made.file);
        const href = URL.createObjectURL(blob);
        const a = h('a', { href, download: made.name, hidden: true, 'data-test': 'backup-link' });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(href), 60000);
        pass.value = '';
        msg.set('ok', `Backup file ${made.name} made (${blob.size} bytes).`);
      } catch (err) {
        msg.error(err);
      }
    });
  });

  const rmsg = banner('restore-banner');
  const fileIn = h('input', { type: 'file', id: 'restore-file', name: 'restore-file', accept: '.tar.gz,.gz,.difosbk', 'data-test': 'restore-file' });
  const rpass = h('input', { type: 'password', id: 'restore-pass', name: 'restore-pass', autocomplete: 'off', 'data-test': 'restore-passphrase' });
  const check = h('button', { type: 'submit', class: 'secondary', 'data-test': 'check-backup' }, 'Check backup');
  const shown = h('div', { 'data-test': 'restore-preview', hidden: true });
  let uploaded = '';
  const restoreForm = h('form', { class: 'form', novalidate: true, 'data-test': 'restore-form' },
    h('div', { class: 'field' }, h('label', { for: 'restore-file' }, 'Backup file'), fileIn),
    h('div', { class: 'field' }, h('label', { for: 'restore-pass' }, 'Passphrase (when it has one)'), rpass),
    h('div', { class: 'form-actions' }, check));
  fileIn.addEventListener('change', () => {
    uploaded = '';
    shown.hidden = true;
  });
  restoreForm.addEventListener('submit', (e) => {
    e.preventDefault();
    rmsg.set(null);
    shown.hidden = true;
    const f = fileIn.files?.[0];
    if (!f) {
      rmsg.set('error', 'Choose a backup file first.');
      return;
    }
    void busy(check, async () => {
      let seen: Inspected;
      try {
        if (!uploaded) uploaded = await uploadBackup(new Uint8Array(await f.arrayBuffer()));
        seen = await post<Inspected>('/backup/inspect', { file: uploaded, ...(rpass.value ? { passphrase: rpass.value } : {}) });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) uploaded = '';
        rmsg.set('error', `${f.name} cannot be restored: ${errorText(err)}`);
        return;
      }
      const go = h('button', { type: 'button', class: 'danger', 'data-test': 'restore-backup' }, 'Restore');
      go.addEventListener('click', () => {
        const dlg = openDialog({ title: 'Restore', test: 'restore-dialog', wide: true });
        const passphrase = rpass.value;
        void runConfirmed(dlg, (extra) => post<ApplyResult>('/backup/restore', { file: uploaded, ...(passphrase ? { passphrase } : {}), ...extra }), seen.changes, 'Restoring');
      });
      fill(shown, manifestLines(seen),
        h('h3', null, 'Changes against the running configuration'),
        changeList(seen.changes, 'restore-changes'),
        h('p', { class: 'muted' }, 'Restoring applies this configuration; unless it is confirmed within the countdown the router goes back to the one running now.'),
        h('div', { class: 'form-actions' }, go));
      shown.hidden = false;
    });
  });

  return h('section', { class: 'card', 'data-test': 'backup-card' },
    h('h2', null, 'Backup'),
    h('p', { class: 'muted' }, 'A file with the running configuration, the staged changes, the last revisions and the installed TLS certificate.'),
    msg.el, makeForm,
    h('h2', null, 'Restore'),
    rmsg.el, restoreForm, shown);
}
