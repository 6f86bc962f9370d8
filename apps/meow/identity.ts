/** `meow init`, `meow unlock`, `meow lock`: the identity and vault the node keeps for its user. */
import type { AgentStateView } from '../../seams/local-api.ts';
import { CliError, usage } from './errors.ts';
import { HELP } from './help.ts';
import type { CliIo } from './io.ts';
import { NODE_OPTIONS, NodeClient } from './node-client.ts';
import { HELP_OPTION, parse } from './options.ts';
import { forgetPassword, PASSWORD_OPTIONS, passwordFrom, rememberPassword } from './password.ts';

export async function init(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS, ...PASSWORD_OPTIONS, remember: { type: 'boolean' } });
  if (values.help) return help(io, 'init');
  if (positionals.length > 0) throw usage(`unexpected argument ${positionals[0]}`);
  const node = await NodeClient.open(io, values);
  if ((await node.request<AgentStateView>('GET', '/v1/agent')).state !== 'no-identity') {
    throw new CliError('bad-input', 'this node already has an identity: `meow unlock` opens it');
  }
  const password = await passwordFrom(io, values, { dataDir: node.target.dataDir, confirm: true, useRemembered: false });
  // The agent's state, unlocked, with the new identity (docs/API.md).
  const { identity } = await node.request<AgentStateView>('POST', '/v1/agent/init', { password });
  io.stdout.write(`identity created${identity ? `, fingerprint ${identity.fingerprint}` : ''}\n`
    + 'your vault is open; keep the password: it cannot be recovered\n'
    + 'next: `meow card create NAME --out FILE` to invite a contact\n');
  if (values.remember) await rememberPassword(io, node.target.dataDir, password);
  return 0;
}

export async function unlock(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS, ...PASSWORD_OPTIONS, remember: { type: 'boolean' } });
  if (values.help) return help(io, 'unlock');
  if (positionals.length > 0) throw usage(`unexpected argument ${positionals[0]}`);
  const node = await NodeClient.open(io, values);
  // Ask the node first: nobody should type a password for a node that is not running or has no identity.
  const before = await node.request<AgentStateView>('GET', '/v1/agent');
  if (before.state === 'no-identity') throw new CliError('runtime', 'no identity on this node yet: create one with `meow init`');
  const password = await passwordFrom(io, values, { dataDir: node.target.dataDir, confirm: false, useRemembered: true });
  const state = await node.request<AgentStateView>('POST', '/v1/agent/unlock', { password });
  // The same words whether the password opened the main vault or (when already open) a hidden compartment:
  // someone looking over the shoulder learns nothing from the output.
  io.stdout.write(`unlocked${state.identity ? `, fingerprint ${state.identity.fingerprint}` : ''}\n`);
  if (values.remember) await rememberPassword(io, node.target.dataDir, password);
  return 0;
}

export async function lock(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS, forget: { type: 'boolean' } });
  if (values.help) return help(io, 'lock');
  if (positionals.length > 0) throw usage(`unexpected argument ${positionals[0]}`);
  const node = await NodeClient.open(io, values);
  await node.request<AgentStateView>('POST', '/v1/agent/lock');
  io.stdout.write('locked: the node keeps no key of your vault in memory now\n');
  if (values.forget && await forgetPassword(node.target.dataDir)) io.stdout.write('the remembered password is deleted\n');
  return 0;
}

/** `meow hidden`: a new hidden compartment behind its own password; its contacts show only while it is open. */
export async function createHidden(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...HELP_OPTION, ...NODE_OPTIONS, ...PASSWORD_OPTIONS });
  if (values.help) return help(io, 'hidden');
  if (positionals.length > 0) throw usage(`unexpected argument ${positionals[0]}`);
  const node = await NodeClient.open(io, values);
  const password = await passwordFrom(io, values, { dataDir: node.target.dataDir, confirm: true, useRemembered: false });
  await node.request<AgentStateView>('POST', '/v1/agent/hidden', { password });
  io.stdout.write('hidden compartment created and open: `meow card create NAME --hidden` puts a contact in it; '
    + 'after `meow lock`, only `meow unlock` with this password (once the vault is open) shows them again\n');
  return 0;
}

function help(io: CliIo, topic: string): number {
  io.stdout.write(HELP[topic]!);
  return 0;
}
