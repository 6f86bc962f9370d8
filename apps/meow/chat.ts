/**
 * `meow chat CONTACT`: a conversation in any terminal (node:readline, no
 * full-screen library): the history, then each line typed is sent, each
 * incoming message and each change of a sent message's state is printed
 * above the prompt as it happens (the node's event stream). Works on a pipe
 * too: lines in, lines out, which is how the tests drive it.
 */
import { clearLine, createInterface, cursorTo } from 'node:readline';
import type { AgentEvent, ContactView, HistoryResponse, MessageView } from '../../seams/local-api.ts';
import { CliError, usage } from './errors.ts';
import { HELP } from './help.ts';
import type { CliIo } from './io.ts';
import { formatMessage, STATE_WORDS } from './messages.ts';
import { NODE_OPTIONS, NodeClient } from './node-client.ts';
import { HELP_OPTION, parse } from './options.ts';

const HISTORY_LINES = 20;
/** How much of a message's text a state line repeats. */
const QUOTE_CHARS = 24;

function quote(text: string): string {
  return text.length <= QUOTE_CHARS ? `"${text}"` : `"${text.slice(0, QUOTE_CHARS - 1)}…"`;
}

export async function chat(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS });
  if (values.help) {
    io.stdout.write(HELP.chat!);
    return 0;
  }
  if (positionals.length !== 1) throw usage('chat takes one CONTACT (meow contacts lists them)');
  if (!io.input) throw usage('chat needs a terminal (or lines on standard input)');
  const node = await NodeClient.open(io, values);
  const contact = await node.contact(positionals[0]!);
  const { messages } = await node.request<HistoryResponse>('GET', `/v1/contacts/${contact.id}/messages?limit=${HISTORY_LINES}`);
  io.stdout.write(`chat with ${contact.name}${contact.fingerprint ? ` (fingerprint ${contact.fingerprint})` : ''}\n`
    + `type a message and Enter to send; /quit or Ctrl-D to leave\n`);
  for (const m of messages) io.stdout.write(`${formatMessage(m, contact.name)}\n`);
  return converse(io, node, contact);
}

async function converse(io: CliIo, node: NodeClient, contact: ContactView): Promise<number> {
  const rl = createInterface({ input: io.input!, output: io.interactive ? (process.stdout as NodeJS.WritableStream) : undefined, terminal: io.interactive === true });
  const sentTexts = new Map<string, string>();
  /** Prints a line above the prompt (on a terminal the prompt and what is being typed are redrawn). */
  const show = (line: string): void => {
    if (io.interactive) {
      clearLine(process.stdout, 0);
      cursorTo(process.stdout, 0);
    }
    io.stdout.write(`${line}\n`);
    if (io.interactive) rl.prompt(true);
  };
  const onEvent = (e: AgentEvent): void => {
    if (e.type === 'message' && e.message.contactId === contact.id && e.message.direction === 'in') show(formatMessage(e.message, contact.name));
    if (e.type === 'state' && e.contactId === contact.id && sentTexts.has(e.id)) {
      show(`  ${quote(sentTexts.get(e.id)!)}: ${e.state === 'failed' ? `failed: ${e.failure ?? 'no reason given'}` : STATE_WORDS[e.state]}`);
    }
    if (e.type === 'locked') show('(your vault was locked: `meow unlock`, then chat again)');
  };
  const controller = new AbortController();
  /** The event stream ended: the node stopped, or refused (a CliError says why); undici's own word ("terminated") says nothing. */
  const streamEnded = (error?: unknown): void => {
    if (controller.signal.aborted) return;
    const why = error instanceof CliError ? error.message : 'the node closed the connection (stopped?)';
    show(`(live updates stopped: ${why}; /quit, then chat again once the node runs)`);
  };
  const listening = (async () => {
    for await (const e of node.events(controller.signal)) onEvent(e);
  })().then(() => streamEnded(), streamEnded);
  rl.setPrompt('> ');
  if (io.interactive) rl.prompt();
  let quitTyped = false;
  try {
    for await (const raw of rl) {
      const text = raw.trim();
      if (text === '/quit' || text === '/exit') {
        quitTyped = true;
        break;
      }
      if (text !== '') {
        try {
          const sent = await node.request<MessageView>('POST', '/v1/messages', { contactId: contact.id, text });
          sentTexts.set(sent.id, text);
          show(formatMessage(sent, contact.name));
        } catch (error) {
          show(`(not sent: ${(error as Error).message})`);
        }
      }
      if (io.interactive) rl.prompt();
    }
  } finally {
    rl.close();
    controller.abort();
    await listening;
  }
  // Ctrl-C or Ctrl-D leave the cursor after the prompt: the shell's own prompt starts on a line of its own.
  if (io.interactive && !quitTyped) io.stdout.write('\n');
  return 0;
}
