/**
 * Per-browser credentials for the web client. The local API's token is the
 * node user's and is never handed to a Wi-Fi visitor: each browser
 * registers and gets a token of its own (32 random bytes) that may submit
 * envelopes and read only the mailbox tags it claimed. The node keeps
 * SHA-256 of each token (a copy of the file does not let anyone act as a
 * browser) in <dataDir>/web-browsers.json, so a restart logs no one out.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RandomSource } from '../../../protocol/random.ts';
import { LocalApiError } from '../local-api/errors.ts';

export const BROWSERS_FILE = 'web-browsers.json';
/** A node on a Pi serves a crowd, not a city: beyond this, registration is refused. */
export const MAX_BROWSERS = 2000;
/** An agent watches about two mailboxes per contact (current and next Lkp). */
export const MAX_TAGS_PER_BROWSER = 512;

export interface Browser {
  readonly key: string;
  tags: Set<string>;
  readonly createdAt: number;
}

function digest(token: Uint8Array): string {
  return createHash('sha256').update(token).digest('hex');
}

export class BrowserRegistry {
  private readonly byKey = new Map<string, Browser>();
  private readonly owner = new Map<string, Browser>();
  private readonly path: string;

  constructor(dataDir: string, private readonly random: RandomSource, private readonly now: () => number) {
    this.path = join(dataDir, BROWSERS_FILE);
    if (!existsSync(this.path)) return;
    const saved = JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, { tags: string[]; createdAt: number }>;
    for (const [key, v] of Object.entries(saved)) {
      const b: Browser = { key, tags: new Set(v.tags), createdAt: v.createdAt };
      this.byKey.set(key, b);
      for (const t of b.tags) this.owner.set(t, b);
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  register(): string {
    if (this.byKey.size >= MAX_BROWSERS) throw new LocalApiError('rate-limited', 'this node serves as many browsers as it can: ask its operator');
    const token = this.random.bytes(32);
    const key = digest(token);
    this.byKey.set(key, { key, tags: new Set(), createdAt: this.now() });
    this.save();
    return Buffer.from(token).toString('hex');
  }

  /** The browser behind `Authorization: Bearer <hex>`, or 401. */
  authenticate(header: string | undefined): Browser {
    const match = /^Bearer ([0-9a-f]{64})$/i.exec(header ?? '');
    const key = digest(match ? Buffer.from(match[1]!, 'hex') : Buffer.alloc(32));
    const b = this.byKey.get(key);
    // The map lookup is on a hash of the token, so its timing tells nothing of the token itself.
    if (!match || !b || !timingSafeEqual(Buffer.from(b.key, 'hex'), Buffer.from(key, 'hex'))) {
      throw new LocalApiError('unauthorized', 'this browser is not registered with the node: reload the page');
    }
    return b;
  }

  /** The set of tags the browser wants; a tag another browser claimed first is refused. */
  claim(b: Browser, tags: readonly string[]): void {
    if (tags.length > MAX_TAGS_PER_BROWSER) throw new LocalApiError('bad-request', `at most ${MAX_TAGS_PER_BROWSER} mailboxes`, { field: 'tags' });
    for (const t of tags) {
      const o = this.owner.get(t);
      if (o && o !== b) throw new LocalApiError('bad-request', 'a mailbox of another browser', { field: 'tags', tag: t });
    }
    for (const t of b.tags) if (!tags.includes(t)) this.owner.delete(t);
    b.tags = new Set(tags);
    for (const t of tags) this.owner.set(t, b);
    this.save();
  }

  /** True when another browser claimed `tag` as its own mailbox. */
  ownedByOther(b: Browser, tag: string): boolean {
    const o = this.owner.get(tag);
    return o !== undefined && o !== b;
  }

  owns(b: Browser, tag: string): boolean {
    return b.tags.has(tag);
  }

  private save(): void {
    const out: Record<string, { tags: string[]; createdAt: number }> = {};
    for (const b of this.byKey.values()) out[b.key] = { tags: [...b.tags], createdAt: b.createdAt };
    // Write then rename: a crash leaves the old file or the new one, never half of one.
    writeFileSync(`${this.path}.tmp`, JSON.stringify(out), { mode: 0o600 });
    renameSync(`${this.path}.tmp`, this.path);
  }
}
