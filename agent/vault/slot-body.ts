/**
 * The body inside a slot (after both layers are opened), zero padded to the
 * slot. Authenticated by the inner AEAD, still decoded as hostile bytes
 * (STYLE.md rule 4): a result with an offset, never a throw.
 *
 *   0   u8   format version (1)
 *   1   u8   kind: 0 main, 1 hidden
 *   2   u8   n, version vector entries (1..16): who wrote this compartment, how often
 *   3   n x (device id 16, u32 write counter)          for multi-device sync (Dkp, later)
 *   main:   u8 m locked entries, each:
 *             u8 slot index, R 32, drop public key 32,
 *             u8 k mailbox keys, k x 32 (Lkp seeds polled while locked),
 *             u16 pending count, each: u32 length, sealed envelope (drop-box.ts)
 *   hidden: u8 main slot index, main K 32, main R 32, drop secret key 32,
 *           u8 j known real slots, j x u8 (slots this compartment must never reuse)
 *   u32 document length, document (the agent's bytes)
 *   zero padding to the end of the slot
 */
import { isAllZero } from '../../protocol/codec/bytes.ts';
import { ByteReader } from '../../protocol/codec/reader.ts';
import { type DecodeResult, ok } from '../../protocol/codec/result.ts';
import { ByteWriter } from '../../protocol/codec/writer.ts';
import { DEVICE_ID_BYTES, MAILBOX_KEY_BYTES, VAULT_FORMAT_VERSION } from './layout.ts';

const KEY = 32;
const MAX_DEVICES = 16;

export interface VersionEntry {
  readonly deviceId: Uint8Array;
  readonly counter: number;
}

export interface LockedEntry {
  readonly slot: number;
  /** The slot's outer key: lets this session refresh the slot without reading it. */
  readonly outerKey: Uint8Array;
  readonly dropPublicKey: Uint8Array;
  readonly mailboxKeys: readonly Uint8Array[];
  readonly pending: readonly Uint8Array[];
}

export interface MainBody {
  readonly kind: 'main';
  readonly versions: readonly VersionEntry[];
  readonly locked: readonly LockedEntry[];
  readonly document: Uint8Array;
}

export interface HiddenBody {
  readonly kind: 'hidden';
  readonly versions: readonly VersionEntry[];
  readonly mainSlot: number;
  readonly mainInnerKey: Uint8Array;
  readonly mainOuterKey: Uint8Array;
  readonly dropSecretKey: Uint8Array;
  readonly knownSlots: readonly number[];
  readonly document: Uint8Array;
}

export type SlotBody = MainBody | HiddenBody;

/** The body's encoding without padding (the caller checks it fits and pads). */
export function encodeBody(body: SlotBody): Uint8Array {
  const w = new ByteWriter(256 + body.document.length);
  w.u8(VAULT_FORMAT_VERSION).u8(body.kind === 'main' ? 0 : 1).u8(body.versions.length);
  for (const v of body.versions) w.fixed(v.deviceId, DEVICE_ID_BYTES).u32(v.counter);
  if (body.kind === 'main') {
    w.u8(body.locked.length);
    for (const e of body.locked) {
      w.u8(e.slot).fixed(e.outerKey, KEY).fixed(e.dropPublicKey, KEY).u8(e.mailboxKeys.length);
      for (const k of e.mailboxKeys) w.fixed(k, MAILBOX_KEY_BYTES);
      w.u16(e.pending.length);
      for (const p of e.pending) w.u32(p.length).bytes(p);
    }
  } else {
    w.u8(body.mainSlot).fixed(body.mainInnerKey, KEY).fixed(body.mainOuterKey, KEY).fixed(body.dropSecretKey, KEY);
    w.u8(body.knownSlots.length);
    for (const s of body.knownSlots) w.u8(s);
  }
  return w.u32(body.document.length).bytes(body.document).finish();
}

function decodeVersions(r: ByteReader): VersionEntry[] {
  const n = r.u8('version vector length');
  if (!r.failed && (n < 1 || n > MAX_DEVICES)) r.reject('bad-value', `version vector of ${n} entries (1..${MAX_DEVICES})`);
  const out: VersionEntry[] = [];
  for (let i = 0; i < n && !r.failed; i++) out.push({ deviceId: r.copy(DEVICE_ID_BYTES, 'device id'), counter: r.u32('write counter') });
  return out;
}

function decodeLocked(r: ByteReader): LockedEntry[] {
  const m = r.u8('locked entries');
  const out: LockedEntry[] = [];
  for (let i = 0; i < m && !r.failed; i++) {
    const slot = r.u8('slot index');
    const outerKey = r.copy(KEY, 'outer key');
    const dropPublicKey = r.copy(KEY, 'drop public key');
    const k = r.u8('mailbox count');
    const mailboxKeys: Uint8Array[] = [];
    for (let j = 0; j < k && !r.failed; j++) mailboxKeys.push(r.copy(MAILBOX_KEY_BYTES, 'mailbox key'));
    const count = r.u16('pending count');
    const pending: Uint8Array[] = [];
    for (let j = 0; j < count && !r.failed; j++) {
      const length = r.u32('pending length');
      if (!r.failed && length > r.remaining) r.reject('truncated', `pending envelope of ${length} bytes, ${r.remaining} left`);
      pending.push(r.copy(length, 'pending envelope'));
    }
    out.push({ slot, outerKey, dropPublicKey, mailboxKeys, pending });
  }
  return out;
}

export function decodeBody(bytes: Uint8Array): DecodeResult<SlotBody> {
  const r = new ByteReader(bytes);
  const version = r.u8('version');
  if (!r.failed && version !== VAULT_FORMAT_VERSION) return r.reject('bad-version', `vault body version ${version}`);
  const kindByte = r.u8('kind');
  if (!r.failed && kindByte > 1) return r.reject('bad-kind', `compartment kind ${kindByte}`);
  const versions = decodeVersions(r);
  let head: Omit<MainBody, 'document' | 'versions'> | Omit<HiddenBody, 'document' | 'versions'>;
  if (kindByte === 0) {
    head = { kind: 'main', locked: decodeLocked(r) };
  } else {
    const mainSlot = r.u8('main slot');
    const mainInnerKey = r.copy(KEY, 'main inner key');
    const mainOuterKey = r.copy(KEY, 'main outer key');
    const dropSecretKey = r.copy(KEY, 'drop secret key');
    const j = r.u8('known slots');
    const knownSlots: number[] = [];
    for (let i = 0; i < j && !r.failed; i++) knownSlots.push(r.u8('known slot'));
    head = { kind: 'hidden', mainSlot, mainInnerKey, mainOuterKey, dropSecretKey, knownSlots };
  }
  const length = r.u32('document length');
  if (!r.failed && length > r.remaining) return r.reject('truncated', `document of ${length} bytes, ${r.remaining} left`);
  const document = r.copy(length, 'document');
  if (r.error) return r.error;
  const padding = r.rest();
  if (!isAllZero(padding)) return r.reject('bad-value', 'non-zero padding after the document');
  return ok({ ...head, versions, document } as SlotBody);
}
