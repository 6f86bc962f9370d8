/**
 * Every text the page shows, in one catalogue per language: a translator
 * adds one object, nothing else. `dir` drives the right-to-left layout (the
 * style sheet uses logical properties only, so it mirrors by itself).
 */
const en = {
  dir: 'ltr',
  appName: 'Meow',
  tagline: 'Messages that stay on this network, encrypted in your browser.',
  createTitle: 'Create your identity',
  createHelp: 'Your keys stay in this browser, encrypted under this password. Nobody can recover it.',
  unlockTitle: 'Unlock',
  password: 'Password',
  passwordAgain: 'Password again',
  passwordsDiffer: 'The two passwords differ.',
  passwordShort: 'Use at least 8 characters.',
  create: 'Create',
  unlock: 'Unlock',
  working: 'Working… (this takes a few seconds on purpose)',
  wrongPassword: 'Wrong password.',
  tabChats: 'Chats',
  tabAdd: 'Add contact',
  tabMesh: 'Mesh',
  noContacts: 'No contacts yet: invite someone or accept their invitation.',
  invited: 'waiting for their answer',
  inviteTitle: 'Invite someone',
  contactName: 'Their name (only you see it)',
  invite: 'Show my invitation',
  showThis: 'Let them scan this code, or send them the text below.',
  acceptTitle: 'Accept an invitation or an answer',
  photo: 'Photo of their code',
  pasteCard: 'Or paste their text',
  accept: 'Accept',
  noQrFound: 'No code found in that photo: try again closer, with more light.',
  answerShow: 'Done. Now show them your answer:',
  completed: 'Connected.',
  fingerprint: 'Compare these words in person:',
  message: 'Message',
  send: 'Send',
  back: 'Back',
  stateQueued: 'queued',
  stateSent: 'sent',
  stateDeposited: 'on a relay',
  stateDelivered: 'delivered',
  stateFailed: 'failed',
  meshTitle: 'This node and its neighbours',
  node: 'Node',
  uptime: 'Up',
  neighbours: 'Neighbours',
  noNeighbours: 'No neighbour heard yet.',
  routes: 'Routes',
  links: 'Links',
  airtime: 'Airtime',
  dutyCycle: 'Duty cycle',
  channelUse: 'Channel use',
  lastHeard: 'last heard',
  secondsAgo: '{n} s ago',
  relays: 'Relays',
  online: 'online',
  offline: 'offline',
  language: 'Language',
  nodeUnreachable: 'The node does not answer: are you still on its Wi-Fi?',
  error: 'Error: {m}',
} as const;

export type TextKey = Exclude<keyof typeof en, 'dir'>;
type Catalogue = { readonly [K in keyof typeof en]: string };

const ar: Catalogue = {
  dir: 'rtl',
  appName: 'مياو',
  tagline: 'رسائل تبقى على هذه الشبكة، مشفّرة في متصفحك.',
  createTitle: 'أنشئ هويتك',
  createHelp: 'مفاتيحك تبقى في هذا المتصفح، مشفّرة بكلمة المرور هذه. لا يمكن لأحد استعادتها.',
  unlockTitle: 'فتح',
  password: 'كلمة المرور',
  passwordAgain: 'كلمة المرور مرة أخرى',
  passwordsDiffer: 'كلمتا المرور مختلفتان.',
  passwordShort: 'استخدم 8 أحرف على الأقل.',
  create: 'إنشاء',
  unlock: 'فتح',
  working: 'جارٍ العمل… (يستغرق ذلك بضع ثوانٍ عمدًا)',
  wrongPassword: 'كلمة مرور خاطئة.',
  tabChats: 'المحادثات',
  tabAdd: 'إضافة جهة اتصال',
  tabMesh: 'الشبكة',
  noContacts: 'لا جهات اتصال بعد: ادعُ أحدًا أو اقبل دعوته.',
  invited: 'بانتظار ردّه',
  inviteTitle: 'ادعُ شخصًا',
  contactName: 'اسمه (تراه أنت فقط)',
  invite: 'اعرض دعوتي',
  showThis: 'دعه يمسح هذا الرمز، أو أرسل له النص أدناه.',
  acceptTitle: 'اقبل دعوة أو ردًّا',
  photo: 'صورة رمزه',
  pasteCard: 'أو الصق نصّه',
  accept: 'قبول',
  noQrFound: 'لم يُعثر على رمز في الصورة: حاول من أقرب وبضوء أكثر.',
  answerShow: 'تمّ. اعرض عليه الآن ردّك:',
  completed: 'متصل.',
  fingerprint: 'قارنا هذه الكلمات وجهًا لوجه:',
  message: 'رسالة',
  send: 'إرسال',
  back: 'رجوع',
  stateQueued: 'في الانتظار',
  stateSent: 'أُرسلت',
  stateDeposited: 'على مرحّل',
  stateDelivered: 'وصلت',
  stateFailed: 'فشلت',
  meshTitle: 'هذه العقدة وجيرانها',
  node: 'العقدة',
  uptime: 'مدة التشغيل',
  neighbours: 'الجيران',
  noNeighbours: 'لم يُسمع أي جار بعد.',
  routes: 'المسارات',
  links: 'الوصلات',
  airtime: 'زمن البث',
  dutyCycle: 'دورة العمل',
  channelUse: 'استخدام القناة',
  lastHeard: 'آخر سماع',
  secondsAgo: 'قبل {n} ث',
  relays: 'المرحّلات',
  online: 'متصل',
  offline: 'غير متصل',
  language: 'اللغة',
  nodeUnreachable: 'العقدة لا تجيب: هل ما زلت على شبكتها؟',
  error: 'خطأ: {m}',
};

export const CATALOGUES: Readonly<Record<string, Catalogue>> = { en, ar };
export const LANGUAGE_NAMES: Readonly<Record<string, string>> = { en: 'English', ar: 'العربية' };

export class Texts {
  private catalogue: Catalogue = en;
  lang = 'en';

  set(lang: string): void {
    this.lang = CATALOGUES[lang] ? lang : 'en';
    this.catalogue = CATALOGUES[this.lang]!;
  }

  get dir(): string {
    return this.catalogue.dir;
  }

  t(key: TextKey, vars: Record<string, string | number> = {}): string {
    return this.catalogue[key].replace(/\{(\w+)\}/g, (_m, v: string) => String(vars[v] ?? ''));
  }
}
