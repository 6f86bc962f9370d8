/**
 * `meow card create|show|import`: the rendez-vous of whitepaper section
 * 3.1 on files. One contact = one new Ckp, Ekp and Lkp, one card we hand
 * over, and the contact's card once received (keystore/contact-file.ts).
 */
import QRCode from 'qrcode';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { toHex } from '../../protocol/codec/bytes.ts';
import { armor } from '../../protocol/card/armor.ts';
import { checkAnswer } from '../../protocol/card/binding.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { type CardKeys, createAnswer, createInvite } from '../../protocol/card/encode.ts';
import { CardError } from '../../protocol/card/errors.ts';
import { toQrText } from '../../protocol/card/qr-text.ts';
import type { Card, InviteCard } from '../../protocol/card/types.ts';
import { cardView } from '../../protocol/card/view.ts';
import { keyFingerprint, pairFingerprint } from '../../protocol/keys/fingerprint.ts';
import {
  generateContactKeyPair, generateEncryptionKeyPair, generateLookupKeyPair, type UserKeyPair,
} from '../../protocol/keys/keys.ts';
import { writeFileAtomic } from '../../node-runtime/keystore/atomic-write.ts';
import { type ContactState, readContactFile, writeContactFile } from '../../node-runtime/keystore/contact-file.ts';
import { startContactSession } from '../../node-runtime/keystore/contact-session.ts';
import { readIdentityFile } from '../../node-runtime/keystore/identity-file.ts';
import { badInput, usage } from './errors.ts';
import { answerCard, createInvitation, importCardFromNode, showContactCard } from './invitations.ts';
import { NODE_OPTIONS } from './node-client.ts';
import { warnAboutCredentials, warnAboutUnpinnedRelays } from './card-relay-warnings.ts';
import { aboutFile } from './file-errors.ts';
import { HELP } from './help.ts';
import { readCard } from './input.ts';
import { type CliIo, resolvePath } from './io.ts';
import { HELP_OPTION, parse, PASSPHRASE_OPTIONS, passphraseFrom, required } from './options.ts';

const CARD_OPTIONS = {
  ...HELP_OPTION, ...PASSPHRASE_OPTIONS,
  keys: { type: 'string', short: 'k' },
  server: { type: 'string', short: 's', multiple: true },
  out: { type: 'string', short: 'o' },
  name: { type: 'string' },
  contact: { type: 'string' },
  qr: { type: 'boolean' },
} as const;

async function unlockIdentity(io: CliIo, values: { keys?: string | undefined } & Parameters<typeof passphraseFrom>[1]): Promise<UserKeyPair> {
  const keys = resolvePath(io, required(values.keys, '--keys FILE'));
  const passphrase = await passphraseFrom(io, values);
  return aboutFile(keys, () => readIdentityFile(io.suite, keys, passphrase));
}

function newContactKeys(io: CliIo, servers: readonly string[]): { keys: CardKeys; state: Omit<ContactState, 'role' | 'myCard'> } {
  const contact = generateContactKeyPair(io.suite, io.random);
  const encryption = generateEncryptionKeyPair(io.suite, io.random);
  const lookup = generateLookupKeyPair(io.suite, io.random);
  return {
    keys: { contact, encryptionKey: encryption.publicKey, mailboxId: lookup.publicKey, servers },
    state: { contact, encryption, lookup },
  };
}

/** Builds a card, turning a bad --server into a usage error that names it. */
function build<T>(make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof CardError) throw usage(e.message);
    throw e;
  }
}

/** Most .contact files looked at when checking for our own invitation (a directory of contacts is small). */
const MAX_CONTACT_FILES_CHECKED = 256;

/**
 * The .contact file of ours that made this invite, if one lies beside the card or in DIR: importing
 * your own invitation would make you your own contact. Files that do not open under this identity,
 * or are past the invite (the session started), are not ours to compare.
 */
async function ownInviteFile(io: CliIo, ukp: UserKeyPair, card: Card, dirs: readonly string[]): Promise<string | undefined> {
  for (const dir of new Set(dirs)) {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.contact')).slice(0, MAX_CONTACT_FILES_CHECKED);
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const state = await readContactFile(io.suite, join(dir, name), ukp);
        if (toHex(state.myCard) === toHex(card.bytes)) return join(dir, name);
      } catch {
        // another identity's file, a started session, or not a contact file at all
      }
    }
  }
  return undefined;
}

function checkName(name: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name) || name.startsWith('.')) throw usage(`--name: use letters, digits, ".", "_" or "-" (${name})`);
  return name;
}

/** Writes NAME.card, NAME.card.txt and NAME.contact; prints where, the fingerprint and the QR code. */
async function writeCardFiles(
  io: CliIo, ukp: UserKeyPair, card: Card, state: ContactState, outDir: string, name: string, qr: boolean,
): Promise<void> {
  const base = join(resolvePath(io, outDir), name);
  // The contact file first: if it cannot be written, no card is handed out for keys we would lose.
  await writeContactFile(io.suite, io.random, `${base}.contact`, state, ukp);
  await writeFileAtomic(`${base}.card`, card.bytes, { mode: 0o600 });
  await writeFileAtomic(`${base}.card.txt`, armor('MEOW CARD', card.bytes), { mode: 0o600 });
  const rel = join(outDir, name);
  io.stdout.write(
    `${card.kind} card:   ${rel}.card (${card.bytes.length} bytes)\n`
    + `armoured:      ${rel}.card.txt\n`
    + `contact keys:  ${rel}.contact (sealed under your identity)\n`
    + `your key for this contact: ${keyFingerprint(io.suite, card.contactKey)}\n`,
  );
  if (qr) io.stdout.write(await QRCode.toString(toQrText(card.bytes), { type: 'terminal', errorCorrectionLevel: 'M', small: true }));
}

async function create(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, CARD_OPTIONS);
  if (values.help) {
    io.stdout.write(HELP['card create --keys']!);
    return 0;
  }
  if (positionals.length > 0) throw usage(`unexpected argument ${positionals[0]}`);
  const servers = values.server ?? [];
  if (servers.length === 0) throw usage('at least one --server URL is needed: where will this contact reach you?');
  const out = required(values.out, '--out DIR');
  const ukp = await unlockIdentity(io, values);
  const { keys, state } = newContactKeys(io, servers);
  const card = build(() => createInvite(io.suite, keys));
  warnAboutCredentials(io, servers);
  const name = checkName(values.name ?? `invite-${toHex(card.mailboxId).slice(0, 8)}`);
  await writeCardFiles(io, ukp, card, { ...state, role: 'inviter', myCard: card.bytes }, out, name, values.qr ?? false);
  return 0;
}

async function show(io: CliIo, args: string[]): Promise<number> {
  // -d/--node are accepted (and unused): `meow -d bob card show FILE` is how a user who always names the node types it.
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS });
  if (values.help) {
    io.stdout.write(HELP['card show']!);
    return 0;
  }
  if (positionals.length !== 1) throw usage('card show takes one FILE (or - for stdin)');
  const card = await readCard(io, positionals[0]!);
  io.stdout.write(`${JSON.stringify(cardView(io.suite, card), null, 2)}\n`);
  warnAboutUnpinnedRelays(io, card);
  return 0;
}

async function importCard(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, CARD_OPTIONS);
  if (values.help) {
    io.stdout.write(HELP['card import --keys']!);
    return 0;
  }
  if (positionals.length !== 1) throw usage('card import takes one FILE (or - for stdin)');
  const card = await readCard(io, positionals[0]!);
  if (card.kind === 'invite') {
    if (values.contact !== undefined) throw usage('--contact is for answers; this is an invite');
    const servers = values.server ?? [];
    if (servers.length === 0) throw usage('answering an invite needs at least one --server URL of yours');
    const out = required(values.out, '--out DIR');
    const ukp = await unlockIdentity(io, values);
    const own = await ownInviteFile(io, ukp, card, [dirname(resolvePath(io, positionals[0]!)), resolvePath(io, out)]);
    if (own) throw badInput(`${positionals[0]} is your own invitation (its keys are in ${own}): give it to your contact, and import the answer they send back`);
    const { keys, state } = newContactKeys(io, servers);
    const answer = build(() => createAnswer(io.suite, card as InviteCard, keys));
    const name = checkName(values.name ?? `answer-${toHex(answer.mailboxId).slice(0, 8)}`);
    warnAboutCredentials(io, servers);
    io.stdout.write(`invite verified: ${card.servers.length} server(s), contact key ${keyFingerprint(io.suite, card.contactKey)}\n`);
    await writeCardFiles(io, ukp, answer, { ...state, role: 'answerer', myCard: answer.bytes, peerCard: card.bytes }, out, name, values.qr ?? false);
    // Both cards are known: start the session now, so that the file stops holding the card
    // secrets that would recompute epoch 0 later (docs/SECURITY-REVIEW.md H3).
    await startContactSession(io.suite, io.random, join(resolvePath(io, out), `${name}.contact`), ukp);
    warnAboutUnpinnedRelays(io, card);
    io.stdout.write(`compare in person: ${pairFingerprint(io.suite, card.contactKey, answer.contactKey)}\n`);
    return 0;
  }
  const contactPath = required(values.contact, '--contact FILE (the .contact file of your invite)');
  const ukp = await unlockIdentity(io, values);
  const state = await aboutFile(resolvePath(io, contactPath), () => readContactFile(io.suite, resolvePath(io, contactPath), ukp));
  const mine = decodeCard(io.suite, state.myCard);
  if (!mine.ok || mine.value.kind !== 'invite' || state.role !== 'inviter') throw badInput(`${contactPath} does not hold an invite of ours`);
  const checked = checkAnswer(io.suite, card, mine.value as InviteCard);
  if (!checked.ok) throw badInput(`${positionals[0]}: refused: ${checked.message}`);
  if (state.peerCard && toHex(state.peerCard) !== toHex(card.bytes)) {
    throw badInput(`${contactPath} already holds another answer to this invite`);
  }
  await writeContactFile(io.suite, io.random, resolvePath(io, contactPath), { ...state, peerCard: card.bytes }, ukp, { overwrite: true });
  await startContactSession(io.suite, io.random, resolvePath(io, contactPath), ukp);
  warnAboutUnpinnedRelays(io, card);
  io.stdout.write(`answer verified and stored in ${contactPath}\n`
    + `compare in person: ${pairFingerprint(io.suite, mine.value.contactKey, card.contactKey)}\n`);
  return 0;
}

/** The older forms work on key files (`--keys FILE`); without it, the card commands go through the running node. */
const usesKeyFiles = (args: readonly string[]): boolean => args.some((a) => a === '--keys' || a === '-k' || a.startsWith('--keys='));

/** `card show FILE|-` decodes a card file; `card show CONTACT` asks the node for my card for that contact. */
async function showsFile(io: CliIo, args: readonly string[]): Promise<boolean> {
  const target = args.find((a) => !a.startsWith('-') || a === '-');
  if (target === undefined || target === '-') return true;
  try {
    await stat(resolvePath(io, target));
    return true;
  } catch {
    return false;
  }
}

export async function cardCommand(io: CliIo, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create': return usesKeyFiles(rest) ? create(io, rest) : createInvitation(io, rest);
    case 'show': return await showsFile(io, rest) ? show(io, rest) : showContactCard(io, rest);
    case 'import': return usesKeyFiles(rest) ? importCard(io, rest) : importCardFromNode(io, rest);
    case 'answer': return answerCard(io, rest);
    case undefined:
    case '-h':
    case '--help':
      io.stdout.write(HELP.card!);
      return sub === undefined ? 2 : 0;
    default:
      throw usage(`unknown card command "${sub}" (create, show, import, answer)`);
  }
}
