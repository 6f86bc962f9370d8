/**
 * `meow group create|invite|add|join|remove|leave|send|list` (whitepaper
 * 1.6) over the node's local API (docs/API.md, "Groups, broadcasts,
 * directory, introductions"). `add` is `invite`: a contact becomes a member
 * when it accepts (`meow group join`), since only it can make its mailbox.
 */
import { usage } from './errors.ts';
import type { CliIo } from './io.ts';
import type { NodeClient } from './node-client.ts';
import { openNode, parseSubcommand } from './subcommand.ts';


export function need(args: string[], count: number, synopsis: string): string[] {
  if (args.length !== count) throw usage(`usage: ${synopsis}`);
  return args;
}

export function print(io: CliIo, value: unknown, json: unknown, text: (v: never) => string): void {
  io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text(value as never));
}

interface GroupView {
  id: string; name: string; role: string; status: string; myIndex: number; members: { index: number; name: string }[]; pending: string[];
  messages: { fromName: string; text: string; mine?: boolean }[];
}

/**
 * The name the other members see for the group's creator when --my-name is
 * not given: the node's own default ("me") showed at every member as if they
 * had written the admin's messages themselves.
 */
const DEFAULT_ADMIN_NAME = 'admin';

async function groupId(client: NodeClient, nameOrId: string): Promise<string> {
  if (/^[0-9a-f]{32}$/.test(nameOrId)) return nameOrId;
  const list = await client.request<{ groups: GroupView[]; invitations: { groupId: string; name: string }[] }>('GET', '/v1/groups');
  const hits = [...list.groups.map((g) => ({ id: g.id, name: g.name })), ...list.invitations.map((i) => ({ id: i.groupId, name: i.name }))].filter((g) => g.name === nameOrId);
  if (hits.length !== 1) throw usage(hits.length === 0 ? `no group named "${nameOrId}" (meow group list)` : `several groups are named "${nameOrId}": use its id`);
  return hits[0]!.id;
}

function showGroup(g: GroupView): string {
  const members = g.members.map((m) => `${m.index}:${m.name}${m.index === g.myIndex ? ' (you)' : ''}`).join(', ');
  const lines = [`${g.name}  ${g.id}  (${g.role}, ${g.status})`, `  members: ${members || '(waiting for the admin to add you)'}`];
  if (g.pending.length) lines.push(`  invited: ${g.pending.join(', ')}`);
  for (const m of g.messages.slice(-10)) lines.push(`  ${m.mine ? 'me' : m.fromName}: ${m.text}`);
  return `${lines.join('\n')}\n`;
}

export async function groupCommand(io: CliIo, argv: string[]): Promise<number> {
  const parsed = parseSubcommand(io, argv, {
    topic: 'group', subs: ['create', 'invite', 'add', 'join', 'send', 'list', 'remove', 'leave'], options: { as: { type: 'string' }, 'my-name': { type: 'string' } },
  });
  if (!parsed) return 0;
  const { sub, args, values } = parsed;
  const client = await openNode(io, values);
  const json = values.json;
  switch (sub) {
    case 'create': {
      const [name] = need(args, 1, 'meow group create NAME [--my-name NAME]');
      print(io, await client.request('POST', '/v1/groups', { name: name!, myName: (values['my-name'] as string | undefined) || DEFAULT_ADMIN_NAME }), json, showGroup);
      return 0;
    }
    case 'invite':
    case 'add': {
      const [group, contact] = need(args, 2, `meow group ${sub} GROUP CONTACT [--as NAME]`);
      const id = await groupId(client, group!);
      // Resolved here for the same "did you mean" as every other command; the member is named as I call the contact.
      const found = await client.contact(contact!);
      await client.request('POST', `/v1/groups/${id}/invite`, { contact: found.id, name: (values.as as string | undefined) || found.name });
      io.stdout.write(`invited ${found.name} to ${group}; they become a member when they run: meow group join ${id}\n`);
      return 0;
    }
    case 'join':
      print(io, await client.request('POST', `/v1/groups/${await groupId(client, need(args, 1, 'meow group join GROUP')[0]!)}/join`, {}), json,
        (g: GroupView) => `asked to join ${g.name}; the admin's agent adds you and sends the keys\n`);
      return 0;
    case 'remove': {
      const [group, member] = need(args, 2, 'meow group remove GROUP MEMBER');
      print(io, await client.request('POST', `/v1/groups/${await groupId(client, group!)}/remove`, { member: member! }), json, showGroup);
      return 0;
    }
    case 'leave':
      await client.request('POST', `/v1/groups/${await groupId(client, need(args, 1, 'meow group leave GROUP')[0]!)}/leave`, {});
      io.stdout.write('left the group\n');
      return 0;
    case 'send': {
      const [group, text] = need(args, 2, 'meow group send GROUP TEXT');
      const r = await client.request<{ copies: number }>('POST', `/v1/groups/${await groupId(client, group!)}/messages`, { text: text! });
      io.stdout.write(`queued a copy for ${r.copies} member(s)\n`);
      return 0;
    }
    case 'list': {
      const list = await client.request<{ groups: GroupView[]; invitations: { groupId: string; name: string }[] }>('GET', '/v1/groups');
      print(io, list, json, (l: typeof list) => [...l.groups.map(showGroup), ...l.invitations.map((i) => `invitation: ${i.name}  ${i.groupId}  (meow group join ${i.groupId})\n`)].join('') || 'no groups\n');
      return 0;
    }
    default:
      throw usage(`meow group ${sub}: not a group command`);
  }
}
