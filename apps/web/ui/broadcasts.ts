/**
 * Emergency broadcasts, shown apart from conversations: the ones heard (from
 * authors I trust on the mesh, anyone's on a relay, and those I sent), a
 * form to send one over the whole mesh and the node's relays, my
 * broadcaster key to give out, and a form to trust someone's key. A
 * broadcast is signed in the page (agent/social/broadcasts.ts); the node
 * floods it and carries it to its relays. One from a key I do not trust is
 * never shown from the mesh.
 */
import {
  type ReceivedBroadcast, type SendBroadcastResult, myBroadcastKey, pollRelayBroadcasts, pruneBroadcasts, sendBroadcast, trustBroadcaster,
  DEFAULT_MESH_BROADCAST_TTL_MS,
} from '../../../agent/social/broadcasts.ts';
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { WebSocial } from '../social.ts';
import type { Texts } from '../i18n.ts';
import { h, replace } from './dom.ts';

/** The source of the broadcasts I sent, listed with the others (the mesh echo of mine is refused as a replay). */
export const SENT_SOURCE = 'sent';
/** Relays are asked for new broadcasts at most this often (each ask is a round trip through the node). */
const RELAY_POLL_MS = 30_000;
let polledAt = -Infinity;
let lastResult: SendBroadcastResult | undefined;

/** Asks the node's relays for broadcasts; true when something new was kept. */
async function pollRelays(social: WebSocial): Promise<boolean> {
  const now = social.env.clock.now();
  if (now - polledAt < RELAY_POLL_MS) return false;
  polledAt = now;
  let accepted = 0;
  for (const relay of await social.relays.list()) {
    accepted += (await pollRelayBroadcasts(social.env, social.bridge.state().broadcasts, relay).catch(() => ({ accepted: 0 }))).accepted;
  }
  return accepted > 0;
}

function outcome(tx: Texts, r: SendBroadcastResult): HTMLElement {
  return h('ul', { class: 'send-result', role: 'status' },
    r.mesh && h('li', { class: 'ok' }, tx.t('broadcastOnMesh')),
    ...r.relays.map((x) => h('li', { class: x.ok ? 'ok' : 'error', 'data-relay': x.url },
      x.ok ? tx.t('broadcastOnRelay', { url: x.url }) : tx.t('broadcastNotOnRelay', { url: x.url, m: x.error ?? '' }))));
}

export function broadcastsView(root: Element, tx: Texts, social: WebSocial, fail: (e: Error) => void): void {
  const state = social.bridge.state().broadcasts;
  pruneBroadcasts(social.env, state);
  const mine = toHex(myBroadcastKey(social.env, state));
  // A relay lists mine back: the copy I keep as sent is enough.
  const shown = state.received.filter((b) => b.source === SENT_SOURCE || b.author !== mine);
  const heard = [...shown].reverse().map((b) => h('li', { class: `broadcast${b.source === SENT_SOURCE ? ' mine' : ''}`, 'data-author': b.authorName ?? '' },
    h('p', { dir: 'auto' }, b.text),
    h('small', {}, `${b.source === SENT_SOURCE ? tx.t('sentByMe') : b.authorName ?? b.author.slice(0, 16)} · ${new Date(b.receivedAtMs).toLocaleString(tx.lang)}`)));
  const text = h('textarea', { name: 'broadcast', rows: '2', dir: 'auto', maxlength: '200', 'aria-label': tx.t('broadcastText') });
  const send = async (t: string): Promise<void> => {
    const relays = await social.relays.list();
    lastResult = await sendBroadcast(social.env, state, { node: social.node, relays }, t);
    const now = social.env.clock.now();
    const sent: ReceivedBroadcast = {
      id: toHex(social.env.random.bytes(16)), source: SENT_SOURCE, author: mine, authorName: 'me', text: t,
      expiresAtMs: now + DEFAULT_MESH_BROADCAST_TTL_MS, receivedAtMs: now,
    };
    state.received.push(sent);
    await social.save();
  };
  // A relay's stamp can take the node a while: the button says so, and one click sends one broadcast.
  const sendButton = h('button', { type: 'submit' }, tx.t('send'));
  const sendForm = h('form', { class: 'card alert', onsubmit: (e: Event) => {
    e.preventDefault();
    const t = text.value.trim();
    if (!t) return;
    text.value = '';
    sendButton.disabled = true;
    sendButton.textContent = tx.t('sending');
    void send(t).catch((err: Error) => {
      sendButton.disabled = false;
      sendButton.textContent = tx.t('send');
      fail(err);
    });
  } }, h('h2', {}, tx.t('sendBroadcast')), h('p', { class: 'muted' }, tx.t('broadcastHelp')), text, sendButton,
  lastResult && outcome(tx, lastResult));
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
      h('textarea', { readonly: true, rows: '2', class: 'armored my-broadcast-key', dir: 'ltr' }, mine)),
    trustForm);
  void pollRelays(social).then((kept) => (kept ? social.save() : undefined)).catch(fail);
}
