/**
 * Groups (agent/social/groups.ts, as `meow group` uses them): my groups and
 * the invitations I got, a new group, one group's members and messages.
 * Each action makes one call on the portable code, then saves the state in
 * the vault (apps/web/social.ts); what leaves is sealed in the page.
 */
import type { Agent } from '../../../agent/agent.ts';
import { createGroup, findGroup, inviteToGroup, joinGroup, sendGroupText } from '../../../agent/social/groups.ts';
import type { WebSocial } from '../social.ts';
import type { Texts, TextKey } from '../i18n.ts';
import { h, replace } from './dom.ts';

const STATUS_TEXT: Record<string, TextKey> = { joining: 'groupJoining', active: 'groupActive', removed: 'groupRemoved' };

export function groupList(root: Element, tx: Texts, agent: Agent, social: WebSocial, open: (id: string) => void, fail: (e: Error) => void): void {
  const state = social.bridge.state().groups;
  const contactName = (id: string): string => agent.contacts().find((c) => c.id === id)?.name ?? '?';
  const invitations = state.invitations.map((i) => h('li', { class: 'group-invitation', 'data-group': i.name },
    h('span', {}, tx.t('groupInvitation', { group: i.name, from: contactName(i.fromContactId) })),
    h('button', { type: 'button', onclick: () => {
      void joinGroup(social.env, state, social.bridge.channel, i.groupId, social.servers()).then(() => social.save()).catch(fail);
    } }, tx.t('join'))));
  const groups = state.groups.map((g) => h('li', {},
    h('button', { type: 'button', class: 'contact', 'data-group': g.name, onclick: () => open(g.id) },
      h('span', { class: 'name' }, g.name), h('span', { class: 'muted' }, `${tx.t(STATUS_TEXT[g.status]!)} · ${g.members.length}`))));
  const name = h('input', { name: 'group-name', required: true, maxlength: '32' });
  const form = h('form', { class: 'card', onsubmit: (e: Event) => {
    e.preventDefault();
    try {
      createGroup(social.env, state, name.value.trim(), 'me', social.servers());
    } catch (err) {
      return fail(err as Error);
    }
    void social.save().catch(fail);
  } }, h('h2', {}, tx.t('newGroup')), h('label', {}, tx.t('groupName'), name), h('button', { type: 'submit' }, tx.t('create')));
  replace(root,
    invitations.length > 0 && h('ul', { class: 'contacts invitations' }, ...invitations),
    groups.length > 0 ? h('ul', { class: 'contacts' }, ...groups) : h('p', { class: 'empty' }, tx.t('noGroups')),
    form);
}

export function groupView(root: Element, tx: Texts, agent: Agent, social: WebSocial, groupId: string, back: () => void, fail: (e: Error) => void): { refresh(): void } {
  const list = h('ol', { class: 'messages' });
  const members = h('p', { class: 'muted members' });
  const refresh = (): void => {
    const g = findGroup(social.bridge.state().groups, groupId);
    members.textContent = `${tx.t('members')} ${g.members.map((m) => m.name).join(', ')}${g.pending.length ? ` (+${g.pending.map((p) => p.name).join(', ')})` : ''}`;
    replace(list, ...g.messages.map((m) => h('li', { class: `msg ${m.mine ? 'out' : 'in'}` },
      !m.mine && h('small', { class: 'from' }, m.fromName),
      h('p', { dir: 'auto' }, m.text),
      h('small', {}, new Date(m.atMs).toLocaleTimeString(tx.lang, { hour: '2-digit', minute: '2-digit' })))));
    list.lastElementChild?.scrollIntoView({ block: 'end' });
  };
  const g = findGroup(social.bridge.state().groups, groupId);
  const input = h('textarea', { name: 'group-message', rows: '2', dir: 'auto', 'aria-label': tx.t('message'), placeholder: tx.t('message') });
  const composer = h('form', { class: 'composer', onsubmit: (e: Event) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    void sendGroupText(social.env, findGroup(social.bridge.state().groups, groupId), social.node, text).then(() => social.save()).then(refresh, fail);
  } }, input, h('button', { type: 'submit' }, tx.t('send')));
  const candidates = agent.contacts().filter((c) => c.status === 'active' && !g.members.some((m) => m.contactId === c.id));
  const pick = h('select', { name: 'member' }, ...candidates.map((c) => h('option', { value: c.id }, c.name)));
  const invite = g.role === 'admin' && candidates.length > 0 && h('form', { class: 'inline', onsubmit: (e: Event) => {
    e.preventDefault();
    const c = candidates.find((x) => x.id === pick.value);
    if (!c) return;
    void inviteToGroup(findGroup(social.bridge.state().groups, groupId), social.bridge.channel, c.id, c.name).then(() => social.save()).then(refresh, fail);
  } }, h('label', {}, tx.t('addMember'), pick), h('button', { type: 'submit' }, tx.t('inviteMember')));
  replace(root,
    h('header', { class: 'conv-head' }, h('button', { type: 'button', class: 'back', onclick: back }, tx.t('back')), h('h2', {}, g.name)),
    members, invite, list, g.status === 'active' ? composer : h('p', { class: 'muted' }, tx.t(STATUS_TEXT[g.status]!)));
  refresh();
  return { refresh };
}
