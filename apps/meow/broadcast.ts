/** `meow broadcast send TEXT [--ttl SECONDS] | list | trust KEY [--as NAME]` (whitepaper 1.7): shown apart from conversations. */
import { usage } from './errors.ts';
import { need, print } from './group.ts';
import type { CliIo } from './io.ts';
import { openNode, parseSubcommand } from './subcommand.ts';

interface Listed { myKey: string; broadcasts: { source: string; author: string; authorName?: string; text: string; receivedAtMs: number }[]; relays: { url: string; error?: string }[] }

export async function broadcastCommand(io: CliIo, argv: string[]): Promise<number> {
  const parsed = parseSubcommand(io, argv, { topic: 'broadcast', subs: ['send', 'list', 'trust'], options: { ttl: { type: 'string' }, as: { type: 'string' } } });
  if (!parsed) return 0;
  const { sub, args, values } = parsed;
  const client = await openNode(io, values);
  switch (sub) {
    case 'send': {
      const [text] = need(args, 1, 'meow broadcast send TEXT [--ttl SECONDS]');
      const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
      if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1)) throw usage('--ttl is a whole number of seconds');
      const r = await client.request<{ mesh: boolean; relays: { url: string; ok: boolean; error?: string }[] }>('POST', '/v1/broadcasts', { text: text!, ...(ttl ? { ttlSeconds: ttl } : {}) });
      print(io, r, values.json, (v: typeof r) => [`mesh: ${v.mesh ? 'flooded' : 'no'}`, ...v.relays.map((x) => `${x.url}: ${x.ok ? 'posted' : `failed (${x.error})`}`)].join('\n') + '\n');
      return 0;
    }
    case 'list': {
      const r = await client.request<Listed>('GET', '/v1/broadcasts');
      print(io, r, values.json, (v: Listed) => [
        `my broadcaster key: ${v.myKey}`,
        ...v.relays.filter((x) => x.error).map((x) => `(${x.url} unreachable: ${x.error})`),
        ...(v.broadcasts.length ? v.broadcasts.map((b) => `[${new Date(b.receivedAtMs).toISOString()}] ${b.authorName ?? `${b.author.slice(0, 16)}… (unverified author)`} via ${b.source}: ${b.text}`) : ['no broadcasts']),
      ].join('\n') + '\n');
      return 0;
    }
    case 'trust': {
      const [key] = need(args, 1, 'meow broadcast trust KEY [--as NAME]');
      await client.request('POST', '/v1/broadcasts/trust', { key: key!, ...(values.as ? { name: values.as } : {}) });
      io.stdout.write('trusted: their mesh broadcasts will be checked and shown\n');
      return 0;
    }
    default:
      throw usage(`meow broadcast ${sub}: not a broadcast command`);
  }
}
