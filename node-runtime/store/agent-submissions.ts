/**
 * The agents' durable outbox on the node (seams/node-port.ts): an envelope
 * an agent handed over is a row here before submit() returns (the store runs
 * synchronous=FULL, so the row survives kill -9 and power loss), and its
 * state is kept after it went out, so an agent that was locked meanwhile
 * learns what became of it.
 *
 * One table in the node's database, its own (the router's and gateway's
 * outbox rows are untouched). The receipt id is the envelope id, so a
 * resubmission after a crash is the same row.
 */
import type Database from 'better-sqlite3';

export type SubmissionRowState = 'queued' | 'sent' | 'deposited' | 'failed';

export interface SubmissionRow {
  readonly id: Uint8Array;
  readonly tag: Uint8Array;
  readonly envelope: Uint8Array;
  readonly meshNode: Uint8Array | undefined;
  readonly relays: readonly string[];
  readonly state: SubmissionRowState;
  readonly failure: string | undefined;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly expiresAt: number;
}

interface Raw {
  id: Uint8Array; tag: Uint8Array; envelope: Uint8Array; mesh_node: Uint8Array | null; relays: string;
  state: SubmissionRowState; failure: string | null; attempts: number; next_attempt_at: number; expires_at: number;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS agent_submissions (
  id BLOB PRIMARY KEY, tag BLOB NOT NULL, envelope BLOB NOT NULL, mesh_node BLOB, relays TEXT NOT NULL,
  state TEXT NOT NULL, failure TEXT, attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL)`;

/** How long a finished submission's state is remembered for agents that catch up. */
export const SUBMISSION_STATE_RETENTION_MS = 30 * 24 * 3_600_000;

function row(r: Raw): SubmissionRow {
  return {
    id: new Uint8Array(r.id), tag: new Uint8Array(r.tag), envelope: new Uint8Array(r.envelope),
    meshNode: r.mesh_node ? new Uint8Array(r.mesh_node) : undefined, relays: JSON.parse(r.relays) as string[],
    state: r.state, failure: r.failure ?? undefined, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, expiresAt: r.expires_at,
  };
}

export class AgentSubmissions {
  private readonly insertSql: Database.Statement;
  private readonly getSql: Database.Statement<[Uint8Array], Raw>;
  private readonly dueSql: Database.Statement<[number, number], Raw>;
  private readonly updateSql: Database.Statement;
  private readonly forgetSql: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    db.exec(SCHEMA);
    this.insertSql = db.prepare(`INSERT OR IGNORE INTO agent_submissions
      (id, tag, envelope, mesh_node, relays, state, next_attempt_at, expires_at, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`);
    this.getSql = db.prepare('SELECT * FROM agent_submissions WHERE id = ?');
    this.dueSql = db.prepare(`SELECT * FROM agent_submissions WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY created_at LIMIT ?`);
    this.updateSql = db.prepare('UPDATE agent_submissions SET state = ?, failure = ?, attempts = ?, next_attempt_at = ?, envelope = ? WHERE id = ?');
    this.forgetSql = db.prepare(`DELETE FROM agent_submissions WHERE state != 'queued' AND expires_at + ${SUBMISSION_STATE_RETENTION_MS} < ?`);
  }

  /** Durable once this returns; 'duplicate' for an id already here (nothing changes). */
  add(r: { id: Uint8Array; tag: Uint8Array; envelope: Uint8Array; meshNode?: Uint8Array; relays: readonly string[]; nowMs: number; expiresAt: number }): 'added' | 'duplicate' {
    const info = this.insertSql.run(r.id, r.tag, r.envelope, r.meshNode ?? null, JSON.stringify(r.relays), r.nowMs, r.expiresAt, r.nowMs);
    return info.changes === 1 ? 'added' : 'duplicate';
  }

  get(id: Uint8Array): SubmissionRow | undefined {
    const r = this.getSql.get(id);
    return r ? row(r) : undefined;
  }

  due(nowMs: number, limit: number): SubmissionRow[] {
    return this.dueSql.all(nowMs, limit).map(row);
  }

  /** Records an attempt's outcome; a finished row keeps its state but no longer its envelope. */
  settle(id: Uint8Array, state: SubmissionRowState, change: { failure?: string; attempts: number; nextAttemptAt: number }): void {
    const current = this.get(id);
    if (!current) return;
    const envelope = state === 'queued' ? current.envelope : new Uint8Array(0);
    this.updateSql.run(state, change.failure ?? null, change.attempts, change.nextAttemptAt, envelope, id);
  }

  forgetOld(nowMs: number): void {
    this.forgetSql.run(nowMs);
  }
}
