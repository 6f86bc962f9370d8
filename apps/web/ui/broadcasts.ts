/**
 * Emergency broadcasts, shown apart from conversations: the ones heard (from
 * authors I trust, and mine), a form to send one over the whole mesh, my
 * broadcaster key to give out, and a form to trust someone's key. A
 * broadcast is signed in the page (agent/social/broadcasts.ts) and flooded
 * by the node; one from a key I do not trust is never shown.
 */
import { myBroadcastKey, pruneBroadcasts, sendBroadcast, trustBroadcaster } from '../../../agent/social/broadcasts.ts';
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { WebSocial } from '../social.ts';
import type { Texts } from '../i18n.ts';
import { h, replace } from './dom.ts';

export function broadcastsView(root: Element, tx: Texts, social: WebSocial, fail: (e: Error) => void): void {
  const state = social.bridge.state().broadcasts;
  pruneBroadcasts(social.env, state);
  const heard = [...state.received].reverse().map((b) => h('li', { class: 'broadcast', 'data-author': b.authorName ?? '' },
    h('p', { dir: 'auto' }, b.text),
    h('small', {}, `${b.authorName ?? b.author.slice(0, 16)} · ${new Date(b.receivedAtMs).toLocaleString(tx.lang)}`)));
  const text = h('textarea', { name: 'broadcast', rows: '2', dir: 'auto', maxlength: '200', 'aria-label': tx.t('broadcastText') });
  const sendForm = h('form', { class: 'card alert', onsubmit: (e: Event) => {
    e.preventDefault();
    const t = text.value.trim();
    if (!t) return;
    text.value = '';
    void sendBroadcast(social.env, state, { node: social.node, relays: [] }, t).then(() => social.save()).catch(fail);
  } }, h('h2', {}, tx.t('sendBroadcast')), h('p', { class: 'muted' }, tx.t('broadcastHelp')), text, h('button', { type: 'submit' }, tx.t('send')));
  const key = h('input', { name: 'trust-key', required: true, pattern: '[0-9a-fA-F]{64}', dir: 'ltr' });
  const keyName = h('input', { name: 'trust-name', required: true, maxlength: '64' });
  const trustForm = h('form', { class: 'card', onsubmit: (e: Event) => {
    e.preventDefault();
    try {
      trustBroadcaster(state, key.value.trim(), keyName.value.trim());
    } catch (err) {
      return fail(err as Error);
    }
    void social.save().catch(fail);
  } }, h('h2', {}, tx.t('trustTitle')), h('label', {}, tx.t('trustKey'), key), h('label', {}, tx.t('trustName'), keyName),
  h('button', { type: 'submit' }, tx.t('trust')),
  state.trusted.length > 0 && h('p', { class: 'muted' }, tx.t('trusted'), ' ', state.trusted.map((t) => t.name).join(', ')));
  replace(root,
    h('h2', {}, tx.t('broadcastsTitle')),
    heard.length > 0 ? h('ul', { class: 'broadcasts' }, ...heard) : h('p', { class: 'empty' }, tx.t('noBroadcasts')),
    sendForm,
    h('section', { class: 'card' }, h('h2', {}, tx.t('myBroadcastKey')), h('p', { class: 'muted' }, tx.t('myKeyHelp')),
      h('textarea', { readonly: true, rows: '2', class: 'armored my-broadcast-key', dir: 'ltr' }, toHex(myBroadcastKey(social.env, state)))),
    trustForm);
}
