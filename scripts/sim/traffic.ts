/**
 * The traffic every router of one run carries (same seed, same messages,
 * same instants): direct messages inside "conversations" (pairs of nodes
 * that talk to each other in both directions, as people chat with a few
 * contacts) and a few broadcasts. Each envelope starts with its message
 * number (u32) so the metrics recognise it at the receiver; the rest is
 * seeded filler. Sizes are those of short texts: 24..120 bytes.
 */
import { SeededRandom } from '../../protocol/seeded-random.ts';

export interface TrafficOptions {
  readonly nodes: number;
  readonly directMessages: number;
  readonly broadcasts: number;
  /** Messages per conversation on average (default 8). */
  readonly messagesPerConversation?: number;
  readonly startMs: number;
  readonly durationMs: number;
  readonly seed: number | string;
  readonly minBytes?: number;
  readonly maxBytes?: number;
}

export interface TrafficEvent {
  readonly index: number;
  readonly atMs: number;
  readonly from: number;
  /** Destination node index; undefined for a broadcast. */
  readonly to?: number;
  readonly envelope: Uint8Array;
}

export function generateTraffic(o: TrafficOptions): TrafficEvent[] {
  const random = new SeededRandom(`traffic:${o.seed}`);
  const minBytes = o.minBytes ?? 24;
  const maxBytes = o.maxBytes ?? 120;
  const conversations = Math.max(1, Math.round(o.directMessages / (o.messagesPerConversation ?? 8)));
  const pairs: [number, number][] = [];
  for (let c = 0; c < conversations; c++) {
    const a = random.int(o.nodes);
    let b = random.int(o.nodes - 1);
    if (b >= a) b++;
    pairs.push([a, b]);
  }
  const events: Omit<TrafficEvent, 'index' | 'envelope'>[] = [];
  for (let m = 0; m < o.directMessages; m++) {
    const [a, b] = pairs[random.int(pairs.length)] as [number, number];
    const forward = random.float() < 0.5;
    events.push({ atMs: o.startMs + random.float() * o.durationMs, from: forward ? a : b, to: forward ? b : a });
  }
  for (let m = 0; m < o.broadcasts; m++) events.push({ atMs: o.startMs + random.float() * o.durationMs, from: random.int(o.nodes) });
  events.sort((x, y) => x.atMs - y.atMs);
  return events.map((e, index) => {
    const size = minBytes + random.int(maxBytes - minBytes + 1);
    const envelope = random.bytes(size);
    new DataView(envelope.buffer).setUint32(0, index);
    return { ...e, index, envelope };
  });
}

export function messageIndexOf(envelope: Uint8Array): number | undefined {
  if (envelope.length < 4) return undefined;
  return new DataView(envelope.buffer, envelope.byteOffset, envelope.byteLength).getUint32(0);
}
