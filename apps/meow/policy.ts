/** `meow policy CONTACT [server|direct|matriochka] [RELAY...]`: how messages to one contact travel (whitepaper 1.2.4). */
import type { ContactPolicy, ContactView } from '../../seams/local-api.ts';
import { usage } from './errors.ts';
import { HELP } from './help.ts';
import type { CliIo } from './io.ts';
import { NODE_OPTIONS, NodeClient } from './node-client.ts';
import { HELP_OPTION, parse } from './options.ts';

const MODES: readonly ContactPolicy['mode'][] = ['server', 'direct', 'matriochka'];

function describe(contact: ContactView): string {
  const p = contact.policy;
  const relays = p.relays.join(', then ');
  const how = p.mode === 'direct'
    ? `over the mesh or LAN first, ${p.relays.length > 0 ? `then the relays ${relays}` : 'no relay to fall back on'}`
    : p.mode === 'server' ? `only through the relays ${relays}` : 'onion routing';
  return `${contact.name}: ${p.mode} (${how})\n`;
}

export async function policy(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS });
  if (values.help) {
    io.stdout.write(HELP.policy!);
    return 0;
  }
  const [name, mode, ...relays] = positionals;
  if (name === undefined) throw usage('policy takes a CONTACT, then optionally server|direct|matriochka and RELAY URLs');
  if (mode !== undefined && !MODES.includes(mode as ContactPolicy['mode'])) throw usage(`the mode is server, direct or matriochka, not "${mode}"`);
  if (mode === 'server' && relays.length === 0) throw usage('server mode needs at least one RELAY URL, in the order to try them');
  for (const r of relays) if (!URL.canParse(r)) throw usage(`not a relay URL: ${r}`);
  const node = await NodeClient.open(io, values);
  const contact = await node.contact(name);
  if (mode === undefined) {
    io.stdout.write(describe(contact));
    return 0;
  }
  const updated = await node.request<ContactView>('PATCH', `/v1/contacts/${contact.id}`, { policy: { mode, relays } });
  io.stdout.write(describe(updated));
  return 0;
}
