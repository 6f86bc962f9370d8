import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import type { OpenResult } from '../../protocol/envelope/errors.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createSessionPair } from '../../protocol/session/pair.ts';
import type { OpenedMessage, Session } from '../../protocol/session/session.ts';
import type { SessionOptions } from '../../protocol/session/state.ts';

export const suite = createPortableSuite();

export function pair(seed: string, options?: Partial<SessionOptions>) {
  const random = new SeededRandom(seed);
  return { random, ...createSessionPair(suite, random, options) };
}

/** Unwraps an ok result or fails the test with the error. */
export function expectOk<T>(r: OpenResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.code} at ${r.offset}: ${r.message}`);
  return r.value;
}

export function textOf(m: OpenedMessage): string | undefined {
  return m.body.type === 'text' ? m.body.text : undefined;
}

/** Sends a text from one side to the other and returns what arrived. */
export function deliver(from: Session, to: Session, text: string, nowMs = 0): OpenedMessage {
  return expectOk(to.open(from.sealText(text).envelope, nowMs));
}
