/**
 * The browser client's entry: language and direction, the setup screen,
 * then tabs (chats, groups, emergency broadcasts apart, add a contact, the
 * mesh map). Everything is drawn with
 * DOM calls (no inline script or style: the CSP forbids both).
 */
import type { Agent } from '../../agent/agent.ts';
import type { NodeStatusReport } from '../../seams/node-status.ts';
import { NodeApi } from './api.ts';
import { LANGUAGE_NAMES, Texts } from './i18n.ts';
import { hasVault, openAgent } from './session.ts';
import type { WebSocial } from './social.ts';
import { broadcastsView } from './ui/broadcasts.ts';
import { directoryView } from './ui/directory.ts';
import { groupList, groupView } from './ui/groups.ts';
import { addView } from './ui/add.ts';
import { contactList, conversationView } from './ui/chats.ts';
import { h, replace } from './ui/dom.ts';
import { type NodeWhere, renderMesh } from './ui/mesh.ts';
import { setupView } from './ui/setup.ts';

const LANG_KEY = 'meow-lang';
const MESH_REFRESH_MS = 3_000;
type Tab = 'chats' | 'groups' | 'alerts' | 'directory' | 'add' | 'mesh';

const tx = new Texts();
const app = document.getElementById('app')!;
const api = new NodeApi();
let agent: Agent | undefined;
let social: WebSocial | undefined;
let tab: Tab = 'chats';
let openContact: string | undefined;
let openGroup: string | undefined;
let conversation: { refresh(): void } | undefined;
let meshTimer: ReturnType<typeof setInterval> | undefined;
/** The node's announced name and addresses: asked once, they change only when the node restarts. */
let where: NodeWhere | undefined;
const banner = h('p', { class: 'banner', role: 'alert', hidden: true });

function applyLanguage(lang: string): void {
  tx.set(lang);
  localStorage.setItem(LANG_KEY, tx.lang);
  document.documentElement.lang = tx.lang;
  document.documentElement.dir = tx.dir;
  document.title = tx.t('appName');
}

function showError(e: Error): void {
  banner.hidden = false;
  banner.textContent = e.name === 'TypeError' ? tx.t('nodeUnreachable') : tx.t('error', { m: e.message });
}

function languagePicker(): HTMLElement {
  const select = h('select', { name: 'lang', 'aria-label': tx.t('language'), onchange: (e: Event) => {
    applyLanguage((e.target as HTMLSelectElement).value);
    void render();
  } }, ...Object.entries(LANGUAGE_NAMES).map(([code, name]) => h('option', { value: code, selected: code === tx.lang }, name)));
  return select;
}

async function showMesh(body: Element): Promise<void> {
  try {
    const s = (await (await fetch('/status')).json()) as NodeStatusReport;
    where ??= (await (await fetch('/where')).json()) as NodeWhere;
    if (tab === 'mesh') renderMesh(body, tx, s, Date.now(), where);
  } catch (e) {
    showError(e as Error);
  }
}

async function render(): Promise<void> {
  clearInterval(meshTimer);
  conversation = undefined;
  const body = h('section', { class: 'body' });
  const header = h('header', { class: 'top' }, h('h1', {}, tx.t('appName')), languagePicker());
  if (!agent) {
    replace(app, header, banner, body);
    setupView(body, tx, await hasVault(), unlock);
    return;
  }
  const tabButton = (t: Tab, key: 'tabChats' | 'tabGroups' | 'tabAlerts' | 'tabDirectory' | 'tabAdd' | 'tabMesh'): HTMLElement =>
    h('button', { type: 'button', class: `tab${t === 'alerts' ? ' alerts' : ''}`, 'data-tab': t, 'aria-current': tab === t ? 'page' : 'false', onclick: () => {
      tab = t;
      openContact = undefined;
      openGroup = undefined;
      void render();
    } }, tx.t(key));
  replace(app, header, banner, h('nav', { class: 'tabs' }, tabButton('chats', 'tabChats'), tabButton('groups', 'tabGroups'),
    tabButton('alerts', 'tabAlerts'), tabButton('directory', 'tabDirectory'), tabButton('add', 'tabAdd'), tabButton('mesh', 'tabMesh')), body);
  const a = agent;
  const s = social!;
  if (tab === 'groups' && openGroup) {
    conversation = groupView(body, tx, a, s, openGroup, () => {
      openGroup = undefined;
      void render();
    }, showError);
  } else if (tab === 'groups') {
    groupList(body, tx, a, s, (id) => {
      openGroup = id;
      void render();
    }, showError);
  } else if (tab === 'alerts') {
    broadcastsView(body, tx, s, showError);
  } else if (tab === 'directory') {
    directoryView(body, tx, s, (contactId) => {
      tab = 'chats';
      openContact = contactId;
      void render();
    });
  } else if (tab === 'chats' && openContact) {
    conversation = conversationView(body, tx, a, openContact, () => {
      openContact = undefined;
      void render();
    }, showError);
  } else if (tab === 'chats') {
    contactList(body, tx, a, (id) => {
      openContact = id;
      void render();
    });
  } else if (tab === 'add') {
    addView(body, tx, a, () => undefined);
  } else {
    void showMesh(body);
    meshTimer = setInterval(() => void showMesh(body), MESH_REFRESH_MS);
  }
}

/** A text being typed in a field: a redraw for something that arrived meanwhile would throw it away. */
function typing(): boolean {
  const a = document.activeElement;
  return (a instanceof HTMLInputElement || a instanceof HTMLTextAreaElement) && a.value !== '';
}

async function unlock(password: string): Promise<string | undefined> {
  try {
    const opened = await openAgent(api, password, !(await hasVault()), showError);
    agent = opened.agent;
    social = opened.social;
    social.onChange(() => {
      banner.hidden = true;
      if (conversation && tab === 'groups') conversation.refresh();
      else if ((tab === 'groups' || tab === 'alerts' || tab === 'directory') && !typing()) void render();
    });
    agent.onEvent((e) => {
      banner.hidden = true;
      if (conversation && tab === 'chats' && (e.type === 'message' || e.type === 'state')) conversation.refresh();
      else if (tab === 'chats' && !openContact) void render();
    });
    await render();
    return undefined;
  } catch (e) {
    return (e as Error).name === 'VaultError' && (e as { code?: string }).code === 'wrong-password' ? tx.t('wrongPassword') : tx.t('error', { m: (e as Error).message });
  }
}

applyLanguage(new URLSearchParams(location.search).get('lang') ?? localStorage.getItem(LANG_KEY) ?? (navigator.language.slice(0, 2) || 'en'));
void render();
