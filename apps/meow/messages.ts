/** `meow contacts`, `meow send CONTACT TEXT`, `meow inbox`: conversations through the running node. */
import type { AgentEvent, ContactListResponse, ContactView, HistoryResponse, MessageState, MessageView } from '../../seams/local-api.ts';
import { CliError, usage } from './errors.ts';
import { HELP } from './help.ts';
import type { CliIo } from './io.ts';
import { NODE_OPTIONS, NodeClient } from './node-client.ts';
import { HELP_OPTION, parse } from './options.ts';

/** Longest `--wait` accepted, in seconds (a day: past that, run it again). */
const MAX_WAIT_S = 86_400;

/** What each state means to the person who sent the message (docs/API.md, "Message states"). */
export const STATE_WORDS: Readonly<Record<MessageState, string>> = {
  queued: 'queued on your node',
  sent: 'sent into the mesh',
  deposited: 'deposited on a relay',
  delivered: 'delivered to their device',
  failed: 'failed',
};

const ORDER: readonly MessageState[] = ['queued', 'sent', 'deposited', 'delivered'];

export function clockTime(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ');
}

export function formatMessage(message: MessageView, contactName: string): string {
  const who = message.direction === 'in' ? contactName : 'me';
  const state = message.state ? `  [${message.state === 'failed' ? `failed: ${message.failure ?? 'no reason given'}` : STATE_WORDS[message.state]}]` : '';
  return `${clockTime(message.at)}  ${who}: ${message.text}${state}`;
}

function waitSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WAIT_S) throw usage(`--wait takes a number of seconds, 1-${MAX_WAIT_S}`);
  return n;
}

export async function contacts(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS, json: { type: 'boolean' } });
  if (values.help) return help(io, 'contacts');
  if (positionals.length > 0) throw usage(`unexpected argument ${positionals[0]}`);
  const node = await NodeClient.open(io, values);
  const list = (await node.request<ContactListResponse>('GET', '/v1/contacts')).contacts;
  if (values.json) {
    io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (list.length === 0) io.stdout.write('no contacts yet: `meow card create NAME --out FILE` invites one\n');
  for (const c of list) {
    const flags = [c.status === 'invited' ? 'invited, waiting for their answer' : '', c.hidden ? 'hidden' : '', c.unread > 0 ? `${c.unread} unread` : ''].filter(Boolean);
    io.stdout.write(`${c.name}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}  policy ${c.policy.mode}${c.fingerprint ? `  fingerprint ${c.fingerprint}` : ''}\n`);
  }
  return 0;
}

/** Waits on the event stream until the message reaches `delivered` or fails, or the time is up; returns the last state. */
async function followState(node: NodeClient, message: MessageView, seconds: number, onState: (s: MessageState, failure?: string) => void): Promise<MessageState> {
  let state = message.state ?? 'queued';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), seconds * 1000);
  try {
    // The state may have moved before the stream opened: read it once after subscribing.
    const events = node.events(controller.signal);
    const first = events.next();
    const now = await node.request<MessageView>('GET', `/v1/messages/${message.contactId}/${message.id}`);
    if (now.state && now.state !== state) onState((state = now.state), now.failure);
    if (state === 'delivered' || state === 'failed') return state;
    for (let next = await first; !next.done; next = await events.next()) {
      const e: AgentEvent = next.value;
      if (e.type === 'state' && e.id === message.id && e.contactId === message.contactId && ORDER.indexOf(e.state) >= ORDER.indexOf(state)) {
        onState((state = e.state), e.failure);
        if (state === 'delivered' || state === 'failed') break;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return state;
}

export async function send(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS, wait: { type: 'string' } });
  if (values.help) return help(io, 'send');
  if (positionals.length < 2) throw usage('send takes a CONTACT and the TEXT (quote it: meow send bob "see you at 6")');
  const wait = waitSeconds(values.wait);
  const text = positionals.slice(1).join(' ');
  if (text.trim() === '') throw usage('the message is empty: give the TEXT to send (meow send bob "see you at 6")');
  const node = await NodeClient.open(io, values);
  const contact = await node.contact(positionals[0]!);
  const message = await node.request<MessageView>('POST', '/v1/messages', { contactId: contact.id, text });
  io.stdout.write(`to ${contact.name}: ${STATE_WORDS[message.state ?? 'queued']} (it survives a restart of the node)\n`);
  if (wait === undefined) return 0;
  const final = await followState(node, message, wait, (state, failure) => {
    io.stdout.write(`to ${contact.name}: ${state === 'failed' ? `failed: ${failure ?? 'no reason given'}` : STATE_WORDS[state]}\n`);
  });
  if (final === 'failed') throw new CliError('runtime', 'the message was not delivered');
  if (final === 'queued') {
    io.stdout.write(`to ${contact.name}: still queued after ${wait} s: neither their node nor their relays could be reached yet; `
      + 'your node keeps it on disk and retries (meow status shows which relays are offline)\n');
  }
  return 0;
}

async function incoming(node: NodeClient, list: readonly ContactView[], limit: number): Promise<{ contact: ContactView; message: MessageView }[]> {
  const all: { contact: ContactView; message: MessageView }[] = [];
  for (const contact of list) {
    const { messages } = await node.request<HistoryResponse>('GET', `/v1/contacts/${contact.id}/messages?limit=${limit}`);
    for (const message of messages) if (message.direction === 'in') all.push({ contact, message });
  }
  return all.sort((a, b) => a.message.at - b.message.at);
}

export async function inbox(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS, wait: { type: 'string' }, limit: { type: 'string' } });
  if (values.help) return help(io, 'inbox');
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw usage('--limit takes a number of messages, 1-500');
  const wait = waitSeconds(values.wait);
  const node = await NodeClient.open(io, values);
  const list = positionals.length > 0
    ? await Promise.all(positionals.map((p) => node.contact(p)))
    : (await node.request<ContactListResponse>('GET', '/v1/contacts')).contacts;
  let found = await incoming(node, list, limit);
  for (const end = Date.now() + (wait ?? 0) * 1000; found.length === 0 && Date.now() < end;) {
    await new Promise((r) => setTimeout(r, 500));
    found = await incoming(node, list, limit);
  }
  if (found.length === 0) io.stdout.write(wait === undefined ? 'no messages\n' : `no messages after ${wait} s\n`);
  for (const { contact, message } of found) io.stdout.write(`${formatMessage(message, contact.name)}\n`);
  return 0;
}

function help(io: CliIo, topic: string): number {
  io.stdout.write(HELP[topic]!);
  return 0;
}
