/**
 * Mesh frame encoder and decoder (layout: frame-types.ts, docs/PROTOCOL.md
 * section "mesh"). Pure functions on Uint8Array. The decoder never throws
 * on hostile bytes; the encoder throws MeshError for misuse.
 */
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { MeshError } from './errors.ts';
import {
  FLOOD_SOURCE_BYTES, FRAME_HEADER_BYTES, FRAME_KIND_COUNT, type FrameKind, MAX_ATTEMPT, MAX_HOP_LIMIT, type MeshFrame,
} from './frame-types.ts';

/** Fields a source chooses; hops starts at 0 and the id is computed by frame-auth.ts. */
export interface FrameFields {
  readonly kind: FrameKind;
  readonly limit: number;
  readonly hops?: number;
  readonly routed: boolean;
  readonly attempt?: number;
  readonly destHint: number;
  /** Floods only: the source's 16-bit hint (required for a flood). */
  readonly sourceHint?: number;
  readonly route?: Uint8Array;
  readonly payload: Uint8Array;
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new MeshError('bad-field', message);
}

function routeBytesExpected(routed: boolean, limit: number, hops: number): number {
  return routed ? limit : hops;
}

/** Byte 0 and byte 1 of the header. */
export function headerBytes(f: FrameFields): [number, number] {
  const hops = f.hops ?? 0;
  const attempt = f.attempt ?? 0;
  check(Number.isInteger(f.kind) && f.kind >= 0 && f.kind < FRAME_KIND_COUNT, `kind ${f.kind}`);
  check(Number.isInteger(f.limit) && f.limit >= 0 && f.limit <= MAX_HOP_LIMIT, `limit ${f.limit}`);
  check(Number.isInteger(hops) && hops >= 0 && hops <= f.limit, `hops ${hops} (limit ${f.limit})`);
  check(Number.isInteger(attempt) && attempt >= 0 && attempt <= MAX_ATTEMPT, `attempt ${attempt}`);
  return [(f.kind << 5) | f.limit, (hops << 3) | (f.routed ? 4 : 0) | attempt];
}

/** Encodes a frame with the given id (computeFrameId in frame-auth.ts). */
export function encodeFrame(f: FrameFields, frameId: number): Uint8Array {
  const [b0, b1] = headerBytes(f);
  const hops = f.hops ?? 0;
  const route = f.route ?? new Uint8Array(0);
  check(Number.isInteger(f.destHint) && f.destHint >= 0 && f.destHint <= 0xffff, `destHint ${f.destHint}`);
  check(route.length === routeBytesExpected(f.routed, f.limit, hops), `route of ${route.length} bytes`);
  check(Number.isInteger(frameId) && frameId >= 0 && frameId <= 0xffffffff, `frameId ${frameId}`);
  const source = f.routed ? 0 : FLOOD_SOURCE_BYTES;
  if (!f.routed) check(Number.isInteger(f.sourceHint) && (f.sourceHint as number) >= 0 && (f.sourceHint as number) <= 0xffff, `sourceHint ${f.sourceHint}`);
  const out = new Uint8Array(FRAME_HEADER_BYTES + source + route.length + f.payload.length);
  out[0] = b0;
  out[1] = b1;
  out[2] = f.destHint >>> 8;
  out[3] = f.destHint & 0xff;
  out[4] = frameId >>> 24;
  out[5] = (frameId >>> 16) & 0xff;
  out[6] = (frameId >>> 8) & 0xff;
  out[7] = frameId & 0xff;
  if (!f.routed) {
    out[8] = (f.sourceHint as number) >>> 8;
    out[9] = (f.sourceHint as number) & 0xff;
  }
  out.set(route, FRAME_HEADER_BYTES + source);
  out.set(f.payload, FRAME_HEADER_BYTES + source + route.length);
  return out;
}

/**
 * Decodes a frame of at most `maxFrameBytes` bytes (the link MTU). The
 * returned route and payload are views into `bytes`.
 */
export function decodeFrame(bytes: Uint8Array, maxFrameBytes = 255): DecodeResult<MeshFrame> {
  if (bytes.length > maxFrameBytes) return fail('too-long', maxFrameBytes, `frame of ${bytes.length} bytes over ${maxFrameBytes}`);
  const r = new ByteReader(bytes);
  const b0 = r.u8('kind/limit');
  const b1 = r.u8('hops/flags');
  const destHint = r.u16('destination hint');
  const frameId = r.u32('frame id');
  if (r.error) return r.error;
  const kind = b0 >>> 5;
  const limit = b0 & 0x1f;
  const hops = b1 >>> 3;
  const routed = (b1 & 4) !== 0;
  if (kind >= FRAME_KIND_COUNT) return fail('bad-kind', 0, `frame kind ${kind}`);
  if (hops > limit) return fail('bad-value', 1, `hops ${hops} over limit ${limit}`);
  const sourceHint = routed ? undefined : r.u16('source hint');
  const route = r.bytes(routeBytesExpected(routed, limit, hops), 'route');
  if (r.error) return r.error;
  const payload = r.bytes(r.remaining, 'payload');
  return ok({ kind: kind as FrameKind, limit, hops, routed, attempt: b1 & 3, destHint, sourceHint, frameId, route, payload });
}

/**
 * What a flood relay transmits: hops + 1 and its own hint appended to the
 * route. The id is unchanged (hops and route are not authenticated), so
 * every duplicate cache recognises the re-broadcast.
 */
export function relayFloodFrame(f: MeshFrame, relayHint: number): Uint8Array {
  if (f.routed || f.hops >= f.limit) throw new MeshError('bad-field', 'not a relayable flood frame');
  const route = new Uint8Array(f.hops + 1);
  route.set(f.route);
  route[f.hops] = relayHint & 0xff;
  return encodeFrame({ ...f, hops: f.hops + 1, route, ...(f.sourceHint !== undefined && { sourceHint: f.sourceHint }) }, f.frameId);
}

/** What the relay at route[hops] transmits: the same frame with hops + 1. */
export function relayRoutedFrame(f: MeshFrame): Uint8Array {
  if (!f.routed || f.hops >= f.limit) throw new MeshError('bad-field', 'not a relayable routed frame');
  return encodeFrame({ ...f, hops: f.hops + 1 }, f.frameId);
}
