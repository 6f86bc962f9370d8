/** `meow directory publish TEXT | withdraw | browse [QUERY] | random | contact ID` (whitepaper 1.9), `--relay URL` to pick a relay. */
import { usage } from './errors.ts';
import { need, print } from './group.ts';
import type { CliIo } from './io.ts';
import { openNode, parseSubcommand } from './subcommand.ts';

interface Entry { id: string; description: string; expiresAtMs: number }
const showEntry = (e: Entry): string => `${e.id}  ${e.description}  (until ${new Date(e.expiresAtMs).toISOString()})`;

export async function directoryCommand(io: CliIo, argv: string[]): Promise<number> {
  const parsed = parseSubcommand(io, argv, {
    topic: 'directory', subs: ['publish', 'withdraw', 'browse', 'random', 'contact'], options: { relay: { type: 'string' }, ttl: { type: 'string' } },
  });
  if (!parsed) return 0;
  const { sub, args, values } = parsed;
  const client = await openNode(io, values);
  const relay = values.relay ? { relay: values.relay } : {};
  switch (sub) {
    case 'publish': {
      const [description] = need(args, 1, 'meow directory publish DESCRIPTION [--ttl SECONDS] [--relay URL]');
      const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
      if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1)) throw usage('--ttl is a whole number of seconds');
      const r = await client.request('POST', '/v1/directory/publish', { description: description!, ...relay, ...(ttl ? { ttlSeconds: ttl } : {}) });
      print(io, r, values.json, () => 'published: "free for chat" with a fresh identity that reveals nothing else\n');
      return 0;
    }
    case 'withdraw':
      need(args, 0, 'meow directory withdraw [--relay URL]');
      await client.request('POST', '/v1/directory/withdraw', relay);
      io.stdout.write('withdrawn\n');
      return 0;
    case 'browse': {
      if (args.length > 1) throw usage('usage: meow directory browse [QUERY]');
      const query = args[0] ? `?query=${encodeURIComponent(args[0])}` : '';
      const r = await client.request<{ entries: Entry[] }>('GET', `/v1/directory${query}`);
      print(io, r, values.json, (v: typeof r) => (v.entries.length ? v.entries.map(showEntry).join('\n') : 'nobody found') + '\n');
      return 0;
    }
    case 'random': {
      const r = await client.request<{ entry: Entry | null }>('POST', '/v1/directory/random', relay);
      print(io, r, values.json, (v: typeof r) => (v.entry ? `${showEntry(v.entry)}\n  meow directory contact ${v.entry.id}` : 'nobody is free for chat right now') + '\n');
      return 0;
    }
    case 'contact': {
      const [id] = need(args, 1, 'meow directory contact ID');
      const r = await client.request<{ contactId: string; description: string }>('POST', '/v1/directory/contact', { entry: id! });
      print(io, r, values.json, (v: typeof r) => `new contact ${v.contactId} ("${v.description}"), with keys made for this contact only: \`meow chat ${v.contactId}\` talks with them\n`);
      return 0;
    }
    default:
      throw usage(`meow directory ${sub}: not a directory command`);
  }
}
