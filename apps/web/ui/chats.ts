/**
 * Contacts and one conversation: messages with their delivery state, a
 * composer whose draft is saved (encrypted, in the vault) as it is typed.
 */
import type { Agent } from '../../../agent/agent.ts';
import type { MessageView } from '../../../seams/local-api.ts';
import type { Texts, TextKey } from '../i18n.ts';
import { h, replace } from './dom.ts';

const STATE_TEXT: Record<string, TextKey> = {
  queued: 'stateQueued', sent: 'stateSent', deposited: 'stateDeposited', delivered: 'stateDelivered', failed: 'stateFailed',
};
const DRAFT_SAVE_MS = 800;

export function contactList(root: Element, tx: Texts, agent: Agent, open: (id: string) => void): void {
  const contacts = agent.contacts().sort((a, b) => (b.lastMessageAt ?? 0) - (a.lastMessageAt ?? 0));
  if (contacts.length === 0) return replace(root, h('p', { class: 'empty' }, tx.t('noContacts')));
  replace(root, h('ul', { class: 'contacts' }, ...contacts.map((c) => h('li', {},
    h('button', { type: 'button', class: 'contact', 'data-contact': c.name, onclick: () => open(c.id), disabled: c.status !== 'active' },
      h('span', { class: 'name' }, c.name),
      c.status === 'invited' ? h('span', { class: 'muted' }, tx.t('invited')) : c.unread > 0 && h('span', { class: 'badge' }, String(c.unread)))))));
}

function bubble(tx: Texts, m: MessageView): HTMLElement {
  const time = new Date(m.at).toLocaleTimeString(tx.lang, { hour: '2-digit', minute: '2-digit' });
  return h('li', { class: `msg ${m.direction}`, 'data-state': m.state ?? '' },
    h('p', { dir: 'auto' }, m.text),
    h('small', {}, time, m.state ? ` · ${tx.t(STATE_TEXT[m.state]!)}` : '', m.failure ? ` (${m.failure})` : ''));
}

export function conversationView(root: Element, tx: Texts, agent: Agent, contactId: string, back: () => void, fail: (e: Error) => void): { refresh(): void } {
  const contact = agent.contact(contactId);
  const list = h('ol', { class: 'messages' });
  const input = h('textarea', { name: 'message', rows: '2', dir: 'auto', 'aria-label': tx.t('message'), placeholder: tx.t('message') });
  input.value = agent.draft(contactId);
  let draftTimer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener('input', () => {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(() => void agent.setDraft(contactId, input.value).catch(fail), DRAFT_SAVE_MS);
  });
  const refresh = (): void => {
    replace(list, ...agent.history(contactId, { limit: 200 }).map((m) => bubble(tx, m)));
    list.lastElementChild?.scrollIntoView({ block: 'end' });
    void agent.markRead(contactId).catch(fail);
  };
  const form = h('form', {
    class: 'composer',
    onsubmit: (e: Event) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      clearTimeout(draftTimer);
      input.value = '';
      void agent.send(contactId, text).then(() => agent.setDraft(contactId, '')).then(refresh, fail);
    },
  }, input, h('button', { type: 'submit' }, tx.t('send')));
  replace(root,
    h('header', { class: 'conv-head' }, h('button', { type: 'button', class: 'back', onclick: back }, tx.t('back')), h('h2', {}, contact.name)),
    contact.fingerprint ? h('p', { class: 'muted fingerprint' }, tx.t('fingerprint'), ' ', contact.fingerprint) : '',
    list, form);
  refresh();
  return { refresh };
}
