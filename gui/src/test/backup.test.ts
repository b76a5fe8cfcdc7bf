import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetSchema } from '../schema';
import { backupCard, bytesBase64, downloadBackup, uploadBackup, UPLOAD_PIECE, type Inspected } from '../pages/backup';
import { base64Bytes } from '../pages/cdr';
import { mockFetch, schema, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 255);

describe('a backup in pieces', () => {
  it('base64 both ways, also of more than a block of fromCharCode', () => {
    const b = bytes(100000);
    expect(Array.from(base64Bytes(bytesBase64(b)))).toEqual(Array.from(b));
  });
  it('goes up in pieces, each at the offset the router holds', async () => {
    const file = bytes(UPLOAD_PIECE * 2 + 5);
    const got: Record<string, unknown>[] = [];
    let held = 0;
    const id = await uploadBackup(file, async (body) => {
      got.push(body);
      held += base64Bytes(body.data as string).length;
      return { file: 'f'.repeat(32), size: held };
    });
    expect(id).toBe('f'.repeat(32));
    expect(got.map((b) => b.offset)).toEqual([0, UPLOAD_PIECE, UPLOAD_PIECE * 2]);
    expect(got[0].file).toBeUndefined();
    expect(got[1].file).toBe('f'.repeat(32));
  });
  it('refuses an upload the router holds less of', async () => {
    await expect(uploadBackup(bytes(10), async () => ({ file: 'x', size: 3 }))).rejects.toThrow('holds 3 bytes');
  });
  it('comes down in pieces joined in order, and a gap is refused', async () => {
    const all = bytes(1000);
    const blob = await downloadBackup('id', async (off) => {
      const n = Math.min(400, 1000 - off);
      return { data: bytesBase64(all.subarray(off, off + n)), offset: off, size: 1000, eof: off + n >= 1000 };
    });
    expect(Array.from(new Uint8Array(await blob.arrayBuffer()))).toEqual(Array.from(all));
    await expect(downloadBackup('id', async () => ({ data: '', offset: 5, size: 10, eof: false }))).rejects.toThrow('do not join');
  });
});

describe('the Backup & Updates card', () => {
  const seen: Inspected = {
    manifest: { format: 1, difos_version: '0.1.0', schema_version: 1, created: '2026-11-30T08:00:00Z', hostname: 'r1', encrypted: true },
    changes: [{ op: 'modified', path: 'system.keep_revisions', old: 70, new: 50 }],
    encrypted: true, staged: false, revisions: 3, certificate: false,
  };

  it('checks a file before restoring: the manifest and the changes are shown, nothing restored yet', async () => {
    const { seen: calls } = mockFetch({
      'POST /backup/upload': [200, { file: 'a'.repeat(32), size: 4 }],
      'POST /backup/inspect': [200, seen],
    });
    const card = backupCard();
    document.body.append(card);
    const input = card.querySelector('[data-test=restore-file]') as HTMLInputElement;
    Object.defineProperty(input, 'files', { value: [new File([new Uint8Array([1, 2, 3, 4])], 'b.difosbk')] });
    (card.querySelector('[data-test=restore-passphrase]') as HTMLInputElement).value = 'secret words';
    (card.querySelector('[data-test=check-backup]') as HTMLButtonElement).click();
    await until(() => !(card.querySelector('[data-test=restore-preview]') as HTMLElement).hidden);
    expect(card.querySelector('[data-test=backup-host]')!.textContent).toBe('r1');
    expect(card.querySelector('[data-test=backup-encrypted]')!.textContent).toBe('yes');
    expect(card.querySelector('[data-test=restore-changes] [data-path="system.keep_revisions"]')).not.toBeNull();
    const inspect = calls.find((c) => c.url === '/backup/inspect')!;
    expect(inspect.body).toEqual({ file: 'a'.repeat(32), passphrase: 'secret words' });
    expect(calls.some((c) => c.url === '/backup/restore')).toBe(false);
  });

  it('says why a file is refused, naming the member', async () => {
    mockFetch({
      'POST /backup/upload': [200, { file: 'a'.repeat(32), size: 1 }],
      'POST /backup/inspect': [422, { error: { code: 'invalid', path: 'file', message: '../x: a path that climbs out ("..")' } }],
    });
    const card = backupCard();
    document.body.append(card);
    const input = card.querySelector('[data-test=restore-file]') as HTMLInputElement;
    Object.defineProperty(input, 'files', { value: [new File([new Uint8Array([1])], 'evil.tar.gz')] });
    (card.querySelector('[data-test=check-backup]') as HTMLButtonElement).click();
    const msg = card.querySelector('[data-test=restore-banner]') as HTMLElement;
    await until(() => msg.textContent!.includes('climbs out'));
    expect(msg.textContent).toContain('evil.tar.gz cannot be restored');
    expect((card.querySelector('[data-test=restore-preview]') as HTMLElement).hidden).toBe(true);
  });

  it('Create Backup File sends the passphrase and downloads the pieces', async () => {
    const { seen: calls } = mockFetch({
      'POST /backup': [200, { file: 'b'.repeat(32), size: 3, name: 'difos-r1-x.difosbk' }],
      'POST /backup/download': [200, { data: btoa('abc'), offset: 0, size: 3, eof: true }],
    });
    const urls: Blob[] = [];
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: (b: Blob) => { urls.push(b); return 'blob:x'; }, revokeObjectURL: () => {} }));
    const card = backupCard();
    document.body.append(card);
    (card.querySelector('[data-test=backup-passphrase]') as HTMLInputElement).value = 'pw words';
    (card.querySelector('[data-test=create-backup]') as HTMLButtonElement).click();
    const msg = card.querySelector('[data-test=backup-banner]') as HTMLElement;
    await until(() => msg.textContent!.includes('made'));
    expect(calls.find((c) => c.url === '/backup')!.body).toEqual({ passphrase: 'pw words' });
    expect(urls[0].size).toBe(3);
    expect(msg.textContent).toContain('difos-r1-x.difosbk');
  });
});
