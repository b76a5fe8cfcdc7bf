/*
 * Administration › System › Miscellaneous: data on the LTE module (the
 * WWAN's data switch) and the web interface's TLS certificate: the factory
 * one or an uploaded one. ACME certificates are not offered yet.
 */
import { ApiError, get, post } from '../api';
import { fill, h } from '../dom';
import { sectionForm } from '../section';
import { banner, busy } from '../ui';

interface CertInfo {
  source: 'user' | 'factory';
  details?: string;
}

export function lteDataForm(): HTMLElement {
  return sectionForm('wwan', {
    heading: 'LTE module',
    only: ['data'],
    test: 'wwan-data',
    hints: {
      data: 'Turn data off when the LTE module is used for calls or SMS: some carriers cannot carry a call and data at once, and the module restarting to keep a data connection drops calls.',
    },
  });
}

const readFile = (input: HTMLInputElement): Promise<string> =>
  input.files && input.files[0] ? input.files[0].text() : Promise.resolve('');

export function certificateCard(): HTMLElement {
  const msg = banner('cert-banner');
  const now = h('div', { 'data-test': 'cert-now' }, h('p', { class: 'muted' }, 'Loading…'));
  const choice = h('select', { id: 'cert-source', name: 'cert-source', 'data-test': 'cert-source' },
    h('option', { value: 'factory' }, 'Factory certificate (self-signed, made by the router)'),
    h('option', { value: 'user' }, 'Uploaded certificate'));
  const cert = h('input', { type: 'file', id: 'cert-file', accept: '.pem,.crt,.cer', 'data-test': 'cert-file' });
  const key = h('input', { type: 'file', id: 'key-file', accept: '.pem,.key', 'data-test': 'key-file' });
  const certErr = h('p', { class: 'field-error', 'data-test': 'error-cert', 'aria-live': 'polite' });
  const keyErr = h('p', { class: 'field-error', 'data-test': 'error-key', 'aria-live': 'polite' });
  const upload = h('div', { 'data-test': 'cert-upload' },
    h('div', { class: 'field' }, h('label', { for: 'cert-file' }, 'Certificate (PEM, with its chain)'), cert, certErr),
    h('div', { class: 'field' }, h('label', { for: 'key-file' }, 'Private key (PEM)'), key, keyErr));
  const save = h('button', { type: 'submit', class: 'primary', 'data-test': 'cert-save' }, 'Use this certificate');
  const load = async () => {
    try {
      const info = await get<CertInfo>('/web/certificate');
      choice.value = info.source;
      upload.hidden = info.source !== 'user';
      fill(now, h('p', null, info.source === 'user' ? 'In use: an uploaded certificate.' : 'In use: the factory certificate.'),
        info.details ? h('pre', { class: 'cert-details' }, info.details) : null);
    } catch (e) {
      msg.error(e);
    }
  };
  choice.addEventListener('change', () => {
    upload.hidden = choice.value !== 'user';
  });
  const form = h('form', { class: 'form', novalidate: true, 'data-test': 'cert-form' },
    h('div', { class: 'field' }, h('label', { for: 'cert-source' }, 'Certificate of the web interface'), choice),
    upload, h('div', { class: 'form-actions' }, save));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.set(null);
    certErr.textContent = '';
    keyErr.textContent = '';
    void busy(save, async () => {
      let body: Record<string, unknown> = { factory: true };
      if (choice.value === 'user') {
        const [c, k] = await Promise.all([readFile(cert), readFile(key)]);
        if (!c) certErr.textContent = 'Choose the certificate file.';
        if (!k) keyErr.textContent = 'Choose its private key file.';
        if (!c || !k) return;
        body = { cert: c, key: k };
      }
      try {
        await post('/web/certificate', body);
      } catch (err) {
        if (err instanceof ApiError && err.path === 'cert') certErr.textContent = err.message.replace(/^cert: /, '');
        else if (err instanceof ApiError && err.path === 'key') keyErr.textContent = err.message.replace(/^key: /, '');
        else msg.error(err);
        return;
      }
      msg.set('ok', 'The web interface restarts with this certificate: reload the page in a moment.');
      setTimeout(() => void load(), 2000);
    });
  });
  void load();
  return h('section', { class: 'card', 'data-test': 'cert-card' }, h('h2', null, 'TLS certificate'),
    h('p', { class: 'muted' }, 'The certificate the browser sees. An uploaded one (from your own CA, or issued for a name of the router) ends the browser\'s warnings; certificates made by ACME will be offered here once the router makes them.'),
    msg.el, now, form);
}

export function miscTab(panel: HTMLElement): void {
  panel.append(lteDataForm(), certificateCard());
}
