/** The first screen: create an identity (a new vault) or unlock the one this browser keeps. */
import type { Texts } from '../i18n.ts';
import { h, replace } from './dom.ts';

export function setupView(root: Element, tx: Texts, exists: boolean, submit: (password: string) => Promise<string | undefined>): void {
  const status = h('p', { class: 'status', role: 'status' });
  const pw = h('input', { type: 'password', name: 'password', autocomplete: exists ? 'current-password' : 'new-password', required: true });
  const again = h('input', { type: 'password', name: 'password2', autocomplete: 'new-password', required: true });
  const button = h('button', { type: 'submit' }, tx.t(exists ? 'unlock' : 'create'));
  const form = h('form', {
    class: 'card',
    onsubmit: (e: Event) => {
      e.preventDefault();
      if (!exists && pw.value.length < 8) return void (status.textContent = tx.t('passwordShort'));
      if (!exists && pw.value !== again.value) return void (status.textContent = tx.t('passwordsDiffer'));
      button.disabled = true;
      status.textContent = tx.t('working');
      void submit(pw.value).then((problem) => {
        button.disabled = false;
        status.textContent = problem ?? '';
      });
    },
  },
  h('h2', {}, tx.t(exists ? 'unlockTitle' : 'createTitle')),
  !exists && h('p', {}, tx.t('createHelp')),
  h('label', {}, tx.t('password'), pw),
  !exists && h('label', {}, tx.t('passwordAgain'), again),
  button, status);
  replace(root, h('p', { class: 'tagline' }, tx.t('tagline')), form);
  pw.focus();
}
