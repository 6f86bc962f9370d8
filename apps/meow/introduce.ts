/**
 * `meow introduce A B` and `meow intro list|accept ID|refuse ID` (whitepaper
 * 1.5, 3.2): a double request; A and B each see only a name until both accept.
 */
import { usage } from './errors.ts';
import { need, print } from './group.ts';
import { HELP } from './help.ts';
import type { CliIo } from './io.ts';
import { NODE_OPTIONS } from './node-client.ts';
import { HELP_OPTION, parse } from './options.ts';
import { hexId, openNode, parseSubcommand } from './subcommand.ts';

/** Introduction ids: 16 random bytes in hex (agent/social/introductions.ts). */
const INTRO_ID_DIGITS = 32;

export async function introduceCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...HELP_OPTION, ...NODE_OPTIONS, json: { type: 'boolean' }, 'a-name': { type: 'string' }, 'b-name': { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(HELP.introduce!);
    return 0;
  }
  const [a, b] = need(positionals, 2, 'meow introduce CONTACT_A CONTACT_B [--a-name NAME] [--b-name NAME]');
  if (a!.toLowerCase() === b!.toLowerCase()) throw usage('introduce two different contacts to each other');
  const client = await openNode(io, values);
  // Resolved here for the same "did you mean" as every other command; each is offered under the name I call them.
  const [first, second] = [await client.contact(a!), await client.contact(b!)];
  if (first.id === second.id) throw usage('introduce two different contacts to each other');
  const r = await client.request<{ id: string }>('POST', '/v1/introductions', {
    a: first.id, b: second.id, aName: values['a-name'] || first.name, bName: values['b-name'] || second.name,
  });
  print(io, r, values.json, (v: typeof r) => `asked ${first.name} and ${second.name} (introduction ${v.id}); they meet when both accept: meow intro accept ${v.id}\n`);
  return 0;
}

interface Offer { id: string; peerName: string; status: string; role: string }

export async function introCommand(io: CliIo, argv: string[]): Promise<number> {
  const parsed = parseSubcommand(io, argv, { topic: 'intro', subs: ['list', 'accept', 'refuse'], fallback: 'list' });
  if (!parsed) return 0;
  const { sub, args, values } = parsed;
  // The id is checked before any node is asked: it goes into the request's path.
  const id = sub === 'list' ? (need(args, 0, 'meow intro list'), '') : hexId(need(args, 1, `meow intro ${sub} ID`)[0]!, INTRO_ID_DIGITS, 'an introduction', 'meow intro list');
  const client = await openNode(io, values);
  if (sub === 'list') {
    const r = await client.request<{ offers: Offer[]; made: { id: string; status: string }[] }>('GET', '/v1/introductions');
    print(io, r, values.json, (v: typeof r) => [
      ...v.offers.map((o) => `${o.id}  meet "${o.peerName}"  (${o.status})`),
      ...v.made.map((m) => `${m.id}  made by me  (${m.status})`),
    ].join('\n') + (v.offers.length + v.made.length ? '\n' : 'no introductions\n'));
    return 0;
  }
  await client.request('POST', `/v1/introductions/${id}/${sub}`, {});
  io.stdout.write(sub === 'accept' ? 'accepted: the contact appears once the other side accepts too\n' : 'refused\n');
  return 0;
}
