/**
 * `meow introduce A B` and `meow intro list|accept ID|refuse ID` (whitepaper
 * 1.5, 3.2): a double request; A and B each see only a name until both accept.
 */
import { usage } from './errors.ts';
import { need, print, socialCommand } from './group.ts';
import type { CliIo } from './io.ts';

export async function introduceCommand(io: CliIo, argv: string[]): Promise<number> {
  const { client, args, values } = await socialCommand(io, argv, { 'a-name': { type: 'string' }, 'b-name': { type: 'string' } });
  const [a, b] = need(args, 2, 'meow introduce CONTACT_A CONTACT_B [--a-name NAME] [--b-name NAME]');
  const r = await client.request<{ id: string }>('POST', '/v1/introductions', {
    a: a!, b: b!, ...(values['a-name'] ? { aName: values['a-name'] } : {}), ...(values['b-name'] ? { bName: values['b-name'] } : {}),
  });
  print(io, r, values.json, (v: typeof r) => `asked ${a} and ${b} (introduction ${v.id}); they meet when both accept\n`);
  return 0;
}

interface Offer { id: string; peerName: string; status: string; role: string }

export async function introCommand(io: CliIo, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { client, args, values } = await socialCommand(io, rest);
  switch (sub) {
    case 'list':
    case undefined: {
      const r = await client.request<{ offers: Offer[]; made: { id: string; status: string }[] }>('GET', '/v1/introductions');
      print(io, r, values.json, (v: typeof r) => [
        ...v.offers.map((o) => `${o.id}  meet "${o.peerName}"  (${o.status})`),
        ...v.made.map((m) => `${m.id}  made by me  (${m.status})`),
      ].join('\n') + (v.offers.length + v.made.length ? '\n' : 'no introductions\n'));
      return 0;
    }
    case 'accept':
    case 'refuse': {
      const [id] = need(args, 1, `meow intro ${sub} ID`);
      await client.request('POST', `/v1/introductions/${id!}/${sub}`, {});
      io.stdout.write(sub === 'accept' ? 'accepted: the contact appears once the other side accepts too\n' : 'refused\n');
      return 0;
    }
    default:
      throw usage('usage: meow intro list|accept ID|refuse ID');
  }
}
