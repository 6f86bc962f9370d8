/**
 * `meow card create|import|answer|show` against the running node (whitepaper
 * 3.1): the node's agent makes the keys and keeps them in the vault; the CLI
 * moves cards between the node and files, the terminal (QR) and PNG images.
 * The older file-based forms (`--keys FILE`) live in card.ts.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import QRCode from 'qrcode';
import { base64 } from '@scure/base';
import { armor } from '../../protocol/card/armor.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import type { Card } from '../../protocol/card/types.ts';
import type { CardView, ContactView, ImportCardResponse, InvitationView } from '../../seams/local-api.ts';
import { writeFileAtomic } from '../../node-runtime/keystore/atomic-write.ts';
import { badInput, usage } from './errors.ts';
import { HELP } from './help.ts';
import { decodeInput, readSource } from './input.ts';
import { type CliIo, resolvePath } from './io.ts';
import { NODE_OPTIONS, NodeClient } from './node-client.ts';
import { warnAboutCredentials, warnAboutUnpinnedRelays, warnAboutUnreachableRelays } from './card-relay-warnings.ts';
import { HELP_OPTION, parse } from './options.ts';

const OUTPUT_OPTIONS = {
  out: { type: 'string', short: 'o' },
  qr: { type: 'boolean' },
  png: { type: 'string' },
} as const;

const CONTACT_OPTIONS = {
  relay: { type: 'string', multiple: true },
  hidden: { type: 'boolean' },
} as const;

type Outputs = { out?: string | undefined; qr?: boolean | undefined; png?: string | undefined };

/** Writes the card where asked: --out FILE (raw bytes; armoured text when FILE ends in .txt), --png, --qr; armoured text on stdout otherwise. */
async function emitCard(io: CliIo, card: CardView, outputs: Outputs): Promise<void> {
  const bytes = base64.decode(card.card);
  if (outputs.out !== undefined) {
    const text = outputs.out.endsWith('.txt');
    await writeFileAtomic(resolvePath(io, outputs.out), text ? armor('MEOW CARD', bytes) : bytes, { mode: 0o600 });
    io.stdout.write(`${card.kind} card written to ${outputs.out} (${text ? 'armoured text' : `${bytes.length} bytes`})\n`);
  }
  if (outputs.png !== undefined) {
    const path = resolvePath(io, outputs.png);
    await QRCode.toFile(path, card.qrText, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
    io.stdout.write(`QR code written to ${outputs.png}\n`);
  }
  if (outputs.qr) io.stdout.write(await QRCode.toString(card.qrText, { type: 'terminal', errorCorrectionLevel: 'M', small: true }));
  if (outputs.out === undefined && outputs.png === undefined && !outputs.qr) io.stdout.write(card.armored.endsWith('\n') ? card.armored : `${card.armored}\n`);
}

/**
 * Refuses, before the node makes a contact, an --out or --png the card could
 * not be written to: a failed command leaves no half-made contact behind.
 */
async function checkOutputs(io: CliIo, outputs: Outputs): Promise<void> {
  for (const [flag, path] of [['--out', outputs.out], ['--png', outputs.png]] as const) {
    if (path === undefined) continue;
    const full = resolvePath(io, path);
    const found = await stat(full).catch(() => undefined);
    if (found?.isDirectory()) throw badInput(`${flag} ${path} is a directory: give a file name (e.g. ${flag} ${path.replace(/\/+$/, '')}/card)`);
    if (found && flag === '--out') throw badInput(`${path} exists: refusing to overwrite it (give another --out)`);
    const parent = await stat(dirname(full)).catch(() => undefined);
    if (!parent?.isDirectory()) throw badInput(`cannot write ${path}: ${dirname(path)}: the directory does not exist`);
  }
}

/** Two contacts of one name would make `meow send NAME` ambiguous: refused before the node makes the second. */
async function refuseTakenName(node: NodeClient, name: string): Promise<void> {
  const { contacts } = await node.request<{ contacts: ContactView[] }>('GET', '/v1/contacts');
  const taken = contacts.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (taken) throw badInput(`you already have a contact named "${taken.name}": choose another name (meow contacts lists them)`);
}

function describe(contact: ContactView): string {
  return contact.fingerprint ? `compare in person: ${contact.fingerprint}\n` : '';
}

export async function createInvitation(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS, ...OUTPUT_OPTIONS, ...CONTACT_OPTIONS });
  if (values.help) return help(io, 'card create');
  if (positionals.length !== 1) throw usage('card create takes the NAME you call this contact (e.g. meow card create bob --out bob.card)');
  const relays = values.relay ?? [];
  await checkOutputs(io, values);
  const node = await NodeClient.open(io, values);
  await refuseTakenName(node, positionals[0]!);
  const made = await node.request<InvitationView>('POST', '/v1/invitations', {
    name: positionals[0], ...(values.hidden ? { hidden: true } : {}), ...(relays.length > 0 ? { relays } : {}),
  });
  warnAboutCredentials(io, relays);
  await warnAboutUnreachableRelays(io, relays);
  io.stdout.write(`invitation for ${made.contact.name}${made.contact.hidden ? ' (hidden)' : ''}: hand it over in person, as a file or a QR code; `
    + `then \`meow card answer FILE\` with the answer they send back\n`);
  await emitCard(io, made.card, values);
  return 0;
}

/** The card bytes of FILE (or -) in any form, checked locally so that a damaged card is refused before the node sees it. */
async function readCardBytes(io: CliIo, source: string): Promise<{ bytes: Uint8Array; kind: 'invite' | 'answer'; servers: Card['servers'] }> {
  const raw = await readSource(io, source);
  const named = source === '-' ? 'standard input' : source;
  if (raw.length === 0) throw badInput(source === '-' ? 'standard input is empty: pipe the card into meow, or give its FILE' : `${source} is empty: not a card (the right file?)`);
  const input = decodeInput(raw);
  const card = input.ok ? decodeCard(io.suite, input.value.bytes) : undefined;
  if (!input.ok || !card?.ok) throw badInput(`${named} is not a Meow card (damaged, or another kind of file: \`meow inspect ${source}\` tells)`);
  return { bytes: input.value.bytes, kind: card.value.kind, servers: card.value.servers };
}

async function importInto(io: CliIo, args: string[], only: 'any' | 'answer'): Promise<number> {
  const topic = only === 'answer' ? 'card answer' : 'card import';
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS, ...OUTPUT_OPTIONS, ...CONTACT_OPTIONS, name: { type: 'string' } });
  if (values.help) return help(io, topic);
  if (positionals.length !== 1) throw usage(`${topic} takes one FILE (or - for standard input)`);
  const source = positionals[0]!;
  const card = await readCardBytes(io, source);
  if (card.kind === 'invite' && only === 'answer') {
    throw badInput(`${source} is an invitation, not an answer: \`meow card import ${source} --name NAME\` accepts it`);
  }
  if (card.kind === 'invite' && values.name === undefined) throw usage(`${source} is an invitation: give the --name you will call this contact`);
  const relays = values.relay ?? [];
  if (card.kind === 'invite') await checkOutputs(io, values);
  const node = await NodeClient.open(io, values);
  if (card.kind === 'invite') await refuseTakenName(node, values.name!);
  const result = await node.request<ImportCardResponse>('POST', '/v1/cards/import', {
    card: base64.encode(card.bytes), ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.hidden ? { hidden: true } : {}), ...(relays.length > 0 ? { relays } : {}),
  });
  warnAboutUnpinnedRelays(io, card); // the node took it: now the warning is about a contact
  if (result.answer) {
    warnAboutCredentials(io, relays);
    await warnAboutUnreachableRelays(io, relays);
    io.stdout.write(`invitation accepted: ${result.contact.name} is a contact; hand back your answer\n`);
    await emitCard(io, result.answer, values);
  } else {
    io.stdout.write(`answer accepted: ${result.contact.name} is a contact\n`);
  }
  io.stdout.write(describe(result.contact));
  return 0;
}

export const importCardFromNode = (io: CliIo, args: string[]): Promise<number> => importInto(io, args, 'any');
export const answerCard = (io: CliIo, args: string[]): Promise<number> => importInto(io, args, 'answer');

export async function showContactCard(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS, ...OUTPUT_OPTIONS });
  if (values.help) return help(io, 'card show');
  if (positionals.length !== 1) throw usage('card show takes a CONTACT (or a card FILE)');
  await checkOutputs(io, values);
  const node = await NodeClient.open(io, values);
  const contact = await node.contact(positionals[0]!);
  const card = await node.request<CardView>('GET', `/v1/contacts/${contact.id}/card`);
  await emitCard(io, card, values);
  return 0;
}

function help(io: CliIo, topic: string): number {
  io.stdout.write(HELP[topic]!);
  return 0;
}
