/**
 * The node-hosted agent: the vault file `<dataDir>/agent.vault`, opened by
 * a password and kept unlocked in the daemon's memory until lock() or stop.
 * A hidden password typed while unlocked adds its compartment's contacts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { utf8 } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { AgentEvent, AgentStateView } from '../../../seams/local-api.ts';
import { decodeCard } from '../../../protocol/card/decode.ts';
import { Agent, type AgentOptions } from '../../../agent/agent.ts';
import { createVault, openVault, type VaultSession } from '../../../agent/vault/vault.ts';
import type { PasswordKdf } from '../../../agent/vault/password-kdf.ts';
import { VaultError } from '../../../agent/vault/errors.ts';
import { createVaultFile } from '../../../node-runtime/platform/vault-file.ts';
import { writeFileAtomic } from '../../../node-runtime/keystore/atomic-write.ts';
import { LocalApiError } from './errors.ts';
import { type KeeperNode, LockedCompartmentKeeper } from './locked-compartments.ts';

export const VAULT_FILE = 'agent.vault';
const TICK_MS = 60_000;
/** The vault's default layout lists this many mailboxes per compartment (agent/vault/layout.ts). */
const MAILBOXES_PER_COMPARTMENT = 8;

export interface AgentHostDeps {
  readonly dataDir: string;
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly node: KeeperNode;
  readonly kdf: PasswordKdf;
  readonly agentOptions?: Partial<AgentOptions>;
}

export class AgentHost {
  private agent: Agent | undefined;
  private sessions: VaultSession[] = [];
  private timer: { cancel(): void } | undefined;
  private readonly lockListeners = new Set<() => void>();
  private readonly eventListeners = new Set<(e: AgentEvent) => void>();

  private readonly keeper: LockedCompartmentKeeper;

  constructor(private readonly deps: AgentHostDeps) {
    this.keeper = new LockedCompartmentKeeper(deps.suite, deps.node);
  }

  private get vaultDeps() {
    return { storage: createVaultFile(join(this.deps.dataDir, VAULT_FILE), writeFileAtomic), kdf: this.deps.kdf, random: this.deps.random, suite: this.deps.suite };
  }

  private agentDeps() {
    return { suite: this.deps.suite, random: this.deps.random, clock: this.deps.clock, node: this.deps.node, ...(this.deps.agentOptions ? { options: this.deps.agentOptions } : {}) };
  }

  state(): AgentStateView {
    if (this.agent) return { state: 'unlocked', identity: this.agent.identity(), hiddenOpen: this.agent.hiddenOpen };
    return { state: existsSync(join(this.deps.dataDir, VAULT_FILE)) ? 'locked' : 'no-identity', hiddenOpen: 0 };
  }

  unlocked(): Agent {
    if (this.agent) return this.agent;
    if (this.state().state === 'no-identity') throw new LocalApiError('no-identity', 'no identity on this node yet: run `meow init` first');
    throw new LocalApiError('locked', 'your vault is locked: run `meow unlock` first');
  }

  onLock(listener: () => void): () => void {
    this.lockListeners.add(listener);
    return () => this.lockListeners.delete(listener);
  }

  async init(password: string): Promise<AgentStateView> {
    if (this.state().state !== 'no-identity') throw new LocalApiError('already-initialized', 'this node already holds an identity (unlock it)');
    const session = await this.vault(() => createVault(this.vaultDeps, utf8(password)));
    this.sessions = [session];
    this.start(await Agent.create(this.agentDeps(), this.keeper.wrap(session.compartment)));
    return this.state();
  }

  async unlock(password: string): Promise<AgentStateView> {
    if (this.state().state === 'no-identity') throw new LocalApiError('no-identity', 'no identity on this node yet: run `meow init` first');
    const session = await this.vault(() => openVault(this.vaultDeps, utf8(password)));
    if (!this.agent) {
      if (session.compartment.kind !== 'main') {
        session.close();
        throw new LocalApiError('locked', 'unlock with your main password first');
      }
      this.sessions = [session];
      this.start(await Agent.open(this.agentDeps(), this.keeper.wrap(session.compartment)));
      return this.state();
    }
    if (session.compartment.kind === 'main') {
      session.close(); // already open
      return this.state();
    }
    await this.openHidden(this.agent, session);
    return this.state();
  }

  /** Adds a hidden session: no longer watched as locked, what was kept for it goes to the agent, its mailboxes recorded. */
  private async openHidden(agent: Agent, session: VaultSession): Promise<void> {
    this.sessions.push(session);
    await agent.openHidden(this.keeper.wrap(session.compartment));
    this.watchLocked(agent);
    this.keeper.reinject(session);
    await this.keeper.publishSeeds(session, agent.compartmentSeeds(this.sessions.length - 1), MAILBOXES_PER_COMPARTMENT);
  }

  private watchLocked(agent: Agent): void {
    // The relays my cards name: a hidden contact's relay that no open card names is not polled while it is locked.
    const relays = new Set<string>();
    for (const c of agent.contacts()) {
      const card = decodeCard(this.deps.suite, agent.card(c.id).bytes);
      if (card.ok) for (const s of card.value.servers) if (s.scheme !== 'mesh') relays.add(s.url);
    }
    this.keeper.watch(this.sessions, [...relays]);
  }

  /** A new hidden compartment behind its own password, opened at once. */
  async createHidden(password: string): Promise<AgentStateView> {
    const agent = this.unlocked();
    const from = this.sessions[this.sessions.length - 1]!;
    await this.vault(() => this.keeper.serial(() => from.createHidden(utf8(password))));
    const session = await this.vault(() => openVault(this.vaultDeps, utf8(password)));
    await this.openHidden(agent, session);
    return this.state();
  }

  async lock(): Promise<AgentStateView> {
    this.timer?.cancel();
    this.timer = undefined;
    const agent = this.agent;
    // Each open hidden compartment records its mailboxes now (rotations moved them), to be polled while locked.
    for (const [i, s] of this.sessions.entries()) {
      if (agent && i > 0) await this.keeper.publishSeeds(s, agent.compartmentSeeds(i), MAILBOXES_PER_COMPARTMENT).catch(() => undefined);
    }
    this.keeper.stop();
    agent?.close();
    this.agent = undefined;
    for (const s of this.sessions) s.close();
    this.sessions = [];
    for (const l of this.lockListeners) l();
    for (const l of this.eventListeners) l({ type: 'locked' });
    return this.state();
  }

  /** Events of whichever agent is unlocked now (GET /v1/events), and 'locked' when it locks. */
  events(send: (e: AgentEvent) => void): () => void {
    this.eventListeners.add(send);
    return () => this.eventListeners.delete(send);
  }

  private start(agent: Agent): void {
    this.agent = agent;
    this.watchLocked(agent);
    agent.onEvent((e) => {
      for (const l of this.eventListeners) l(e);
    });
    const tick = (): void => {
      void agent.tick().catch(() => undefined);
      this.watchLocked(agent);
      this.timer = this.deps.clock.setTimer(TICK_MS, tick);
    };
    this.timer = this.deps.clock.setTimer(TICK_MS, tick);
  }

  private async vault<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof VaultError && e.code === 'wrong-password') throw new LocalApiError('wrong-password', 'wrong password');
      if (e instanceof VaultError && e.code === 'password-in-use') throw new LocalApiError('bad-request', 'choose another password for the hidden contacts');
      throw e;
    }
  }
}
