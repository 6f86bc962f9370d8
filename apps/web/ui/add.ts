/**
 * Add a contact: show my invitation as a QR code (and as text), or accept
 * theirs from a photo of their code or from pasted text. Accepting an
 * invitation shows my answer the same way, for them to accept in turn.
 */
import type { Agent } from '../../../agent/agent.ts';
import type { Texts } from '../i18n.ts';
import { cardFromText, cardTexts, drawQr, readQrFromFile } from '../qr.ts';
import { h, replace } from './dom.ts';

function showCard(tx: Texts, bytes: Uint8Array, lead: string): HTMLElement {
  const { qr, armored } = cardTexts(bytes);
  const canvas = h('canvas', { class: 'qr', 'aria-label': 'QR' });
  void drawQr(canvas, qr);
  return h('section', { class: 'card shown-card' }, h('p', {}, lead), canvas,
    h('textarea', { readonly: true, rows: '4', class: 'armored', dir: 'ltr' }, qr), h('details', {}, h('summary', {}, 'MEOW CARD'), h('pre', { dir: 'ltr' }, armored)));
}

export function addView(root: Element, tx: Texts, agent: Agent, done: () => void): void {
  const out = h('div', { class: 'result' });
  const problem = (m: string): void => replace(out, h('p', { class: 'error', role: 'alert' }, m));

  const inviteName = h('input', { name: 'invite-name', required: true, maxlength: '64' });
  const inviteForm = h('form', {
    class: 'card',
    onsubmit: (e: Event) => {
      e.preventDefault();
      void agent.createInvitation(inviteName.value).then((r) => replace(out, showCard(tx, r.card!.bytes, tx.t('showThis'))), (err: Error) => problem(err.message));
    },
  }, h('h2', {}, tx.t('inviteTitle')), h('label', {}, tx.t('contactName'), inviteName), h('button', { type: 'submit' }, tx.t('invite')));

  const acceptName = h('input', { name: 'accept-name', maxlength: '64' });
  const photo = h('input', { type: 'file', name: 'photo', accept: 'image/*', capture: 'environment' });
  const pasted = h('textarea', { name: 'card-text', rows: '3', dir: 'ltr' });
  const accept = async (): Promise<void> => {
    let text = pasted.value;
    const file = photo.files?.[0];
    if (file) {
      const read = await readQrFromFile(file);
      if (!read) return problem(tx.t('noQrFound'));
      text = read;
    }
    const bytes = cardFromText(text);
    if (!bytes) return problem(tx.t('noQrFound'));
    const r = await agent.importCard(bytes, acceptName.value.trim() ? { name: acceptName.value } : {});
    photo.value = '';
    pasted.value = '';
    if (r.card) replace(out, showCard(tx, r.card.bytes, tx.t('answerShow')));
    else {
      replace(out, h('p', { class: 'ok', role: 'status' }, tx.t('completed'), ' ', r.contact.fingerprint ?? ''));
      done();
    }
  };
  const acceptForm = h('form', {
    class: 'card',
    onsubmit: (e: Event) => {
      e.preventDefault();
      void accept().catch((err: Error) => problem(err.message));
    },
  }, h('h2', {}, tx.t('acceptTitle')), h('label', {}, tx.t('contactName'), acceptName), h('label', {}, tx.t('photo'), photo),
  h('label', {}, tx.t('pasteCard'), pasted), h('button', { type: 'submit' }, tx.t('accept')));
  replace(root, out, inviteForm, acceptForm);
}
