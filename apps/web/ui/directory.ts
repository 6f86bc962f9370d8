/**
 * The "free for chat" directory (whitepaper 1.9) in the page: search a
 * relay of the node, start a conversation from an entry, publish myself
 * (with the CLI's warnings) and withdraw. The work is agent/social/
 * directory.ts, the same as the CLI's: entries are checked here (signature
 * bound to the relay, expiry, a valid invitation inside), my entry carries
 * a fresh identity made for it alone, and my answer to an entry goes
 * sealed to its invitation's mailbox. The node only carries the requests
 * (relay-port.ts).
 */
import { browseDirectory, contactEntry, DEFAULT_ENTRY_TTL_SEC, type FoundEntry, publishEntry, randomEntry, withdrawEntry } from '../../../agent/social/directory.ts';
import type { RelaySocialPort } from '../../../agent/social/ports.ts';
import { MAX_DIRECTORY_DESCRIPTION_BYTES } from '../../../protocol/server/constants.ts';
import type { WebSocial } from '../social.ts';
import type { Texts } from '../i18n.ts';
import { h, replace } from './dom.ts';

const DAY_SEC = 86_400;
/** What the last search found, kept while the tab is redrawn (an answer arriving redraws it). */
let lastFound: { relay: string; query: string; entries: FoundEntry[] } | undefined;
/** The outcome of the last action, kept across the redraw that saving the state causes. */
let notice: { text: string; error: boolean } | undefined;

export function directoryView(root: Element, tx: Texts, social: WebSocial, openChat: (contactId: string) => void): void {
  const out = h('div', { class: 'result', role: 'status' });
  const show = (): void => {
    out.hidden = !notice;
    replace(out, notice && h('p', notice.error ? { class: 'error', role: 'alert' } : { class: 'ok' }, notice.text));
  };
  const problem = (e: Error): void => {
    notice = { text: tx.t('error', { m: e.message }), error: true };
    show();
  };
  const note = (text: string): void => {
    notice = { text, error: false };
    show();
  };
  show();
  const state = (): ReturnType<typeof social.bridge.state>['directory'] => social.bridge.state().directory;
  replace(root, h('h2', {}, tx.t('directoryTitle')), h('p', { class: 'muted' }, tx.t('loading')));

  void social.relays.list().then((relays) => {
    if (relays.length === 0) return replace(root, h('h2', {}, tx.t('directoryTitle')), h('p', { class: 'empty' }, tx.t('directoryNoRelay')));
    const relaySelect = h('select', { name: 'directory-relay', 'aria-label': tx.t('relays') },
      ...relays.map((r) => h('option', { value: r.url, selected: r.url === lastFound?.relay }, r.url)));
    const relay = (): RelaySocialPort => relays.find((r) => r.url === relaySelect.value) ?? relays[0]!;

    const results = h('ul', { class: 'entries' });
    const showFound = (): void => {
      const entries = lastFound?.entries ?? [];
      if (!lastFound) return replace(results);
      if (entries.length === 0) return replace(results, h('li', { class: 'empty' }, tx.t('directoryNobody')));
      replace(results, ...entries.map((e) => h('li', { class: 'entry', 'data-entry': e.id },
        h('p', { dir: 'auto' }, e.description),
        h('small', {}, tx.t('directoryUntil', { when: new Date(e.expiresAtMs).toLocaleString(tx.lang) })),
        h('button', { type: 'button', 'data-contact-entry': e.id, onclick: (ev: Event) => {
          (ev.target as HTMLButtonElement).disabled = true;
          void contactEntry(state(), social.bridge.cards, e.id, social.deliverAnswer).then(async (made) => {
            if (lastFound) lastFound.entries = lastFound.entries.filter((f) => f.id !== e.id);
            notice = undefined;
            await social.save();
            openChat(made.contactId);
          }).catch((err: Error) => {
            (ev.target as HTMLButtonElement).disabled = false;
            problem(err);
          });
        } }, tx.t('directoryContact')))));
    };
    const query = h('input', { name: 'directory-query', type: 'search', maxlength: '64', dir: 'auto', value: lastFound?.query ?? '' });
    const search = h('form', { class: 'card', onsubmit: (e: Event) => {
      e.preventDefault();
      notice = undefined;
      show();
      const r = relay();
      void browseDirectory(social.env, state(), r, query.value.trim()).then((entries) => {
        lastFound = { relay: r.url, query: query.value.trim(), entries };
        showFound();
      }, problem);
    } }, h('h2', {}, tx.t('directorySearch')), relays.length > 1 && h('label', {}, tx.t('relays'), relaySelect),
    h('label', {}, tx.t('directoryQuery'), query), h('button', { type: 'submit' }, tx.t('directorySearchButton')),
    h('button', { type: 'button', class: 'secondary', 'data-random': true, onclick: () => {
      const r = relay();
      void randomEntry(social.env, state(), r).then((entry) => {
        lastFound = { relay: r.url, query: '', entries: entry ? [entry] : [] };
        showFound();
      }, problem);
    } }, tx.t('directoryRandom')), results);

    const published = state().published;
    const mine = published.length > 0 && h('section', { class: 'card published' }, h('h2', {}, tx.t('directoryMine')),
      h('ul', { class: 'entries' }, ...published.map((p) => h('li', { class: 'entry mine', 'data-relay': p.relayUrl },
        h('p', { dir: 'auto' }, p.description),
        h('small', { dir: 'ltr' }, p.relayUrl),
        h('button', { type: 'button', class: 'withdraw', onclick: () => {
          const r = relays.find((x) => x.url === p.relayUrl) ?? social.relays.port(p.relayUrl);
          void withdrawEntry(state(), r, social.bridge.cards).then(() => note(tx.t('directoryWithdrawn'))).then(() => social.save()).catch(problem);
        } }, tx.t('directoryWithdraw'))))));

    const description = h('textarea', { name: 'directory-description', rows: '2', dir: 'auto', maxlength: String(MAX_DIRECTORY_DESCRIPTION_BYTES), required: true });
    const days = h('select', { name: 'directory-days', 'aria-label': tx.t('directoryFor') },
      ...[1, 7, 30].map((d) => h('option', { value: String(d), selected: d * DAY_SEC === DEFAULT_ENTRY_TTL_SEC }, tx.t('directoryDays', { n: d }))));
    const agree = h('input', { type: 'checkbox', name: 'directory-agree', required: true });
    const publishButton = h('button', { type: 'submit' }, tx.t('directoryPublishButton'));
    const publish = h('form', { class: 'card publish', onsubmit: (e: Event) => {
      e.preventDefault();
      const text = description.value.trim();
      if (new TextEncoder().encode(text).length > MAX_DIRECTORY_DESCRIPTION_BYTES) return problem(new Error(tx.t('directoryTooLong', { n: MAX_DIRECTORY_DESCRIPTION_BYTES })));
      // The node may work a few seconds on the relay's stamp: one click, one entry.
      publishButton.disabled = true;
      publishButton.textContent = tx.t('sending');
      void publishEntry(social.env, state(), relay(), social.bridge.cards, text, Number(days.value) * DAY_SEC)
        .then(() => note(tx.t('directoryPublished'))).then(() => social.save()).catch((err: Error) => {
          publishButton.disabled = false;
          publishButton.textContent = tx.t('directoryPublishButton');
          problem(err);
        });
    } }, h('h2', {}, tx.t('directoryPublish')),
    h('ul', { class: 'warnings' }, h('li', {}, tx.t('directoryWarnPublic')), h('li', {}, tx.t('directoryWarnFresh')), h('li', {}, tx.t('directoryWarnOnce'))),
    h('label', {}, tx.t('directoryDescription'), description), h('label', {}, tx.t('directoryFor'), days),
    h('label', { class: 'check' }, agree, tx.t('directoryAgree')), publishButton);

    showFound();
    replace(root, h('h2', {}, tx.t('directoryTitle')), out, search, mine, published.length === 0 && publish);
  }, problem);
}
