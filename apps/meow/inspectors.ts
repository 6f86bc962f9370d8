/**
 * What `meow inspect` can recognise: a list tried in order, the first
 * decoder that accepts the bytes wins (`--as NAME` picks one). Cards start
 * with the magic "MC", key files with "{" (JSON), gateway requests with 0xF?, envelopes with
 * version 1 << 4 | kind; a mesh frame has no magic, so it comes last and a
 * frame that happens to parse as an envelope needs `--as frame`.
 */
import { fromUtf8 } from '../../protocol/codec/bytes.ts';
import type { DecodeResult } from '../../protocol/codec/result.ts';
import { fail, ok } from '../../protocol/codec/result.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { cardView } from '../../protocol/card/view.ts';
import { decodeEnvelopeHeader } from '../../protocol/envelope/header.ts';
import { decodeGatewayRequest } from '../../protocol/gateway/request.ts';
import { decodeFrame } from '../../protocol/mesh/frame.ts';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';

/** Largest mesh frame inspect accepts: the UDP link's MTU (radio frames are at most 255 bytes). */
const MAX_INSPECT_FRAME_BYTES = 1200;

export interface Inspector {
  /** Short name shown in the output ("card", "envelope", "frame"). */
  readonly name: string;
  /** Decodes without throwing; the value is printed as JSON (Uint8Array as hex). */
  inspect(bytes: Uint8Array): DecodeResult<unknown>;
}

export function cardInspector(suite: CryptoSuite): Inspector {
  return {
    name: 'card',
    inspect(bytes) {
      const d = decodeCard(suite, bytes);
      return d.ok ? ok(cardView(suite, d.value)) : d;
    },
  };
}

/** Largest key file we look at (they are under 4 KiB; node-runtime/keystore/sealed-file.ts caps them too). */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * A key file from `meow keygen` (identity) or `meow card create|import`
 * (a .contact file): only its clear envelope is shown, what kind it is and
 * how it is sealed; the sealed payload stays sealed.
 */
export const keyFileInspector: Inspector = {
  name: 'key-file',
  inspect(bytes) {
    const text = bytes.length <= MAX_KEY_FILE_BYTES ? fromUtf8(bytes) : undefined;
    if (text === undefined || !text.trimStart().startsWith('{')) return fail('bad-kind', 0, 'not a Meow key file (JSON)');
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return fail('bad-encoding', 0, 'not JSON');
    }
    const d = doc as { meow?: unknown; kind?: unknown; protection?: { kdf?: unknown; logN?: unknown; r?: unknown; p?: unknown; ukp?: unknown } };
    if (typeof doc !== 'object' || doc === null || d.meow !== 'keystore') return fail('bad-kind', 0, 'JSON without "meow": "keystore"');
    const p = d.protection ?? {};
    const sealing = p.kdf === 'scrypt' ? { kdf: 'scrypt', logN: p.logN, r: p.r, p: p.p, note: 'sealed with a passphrase' }
      : p.kdf === 'ukp' ? { kdf: 'ukp', identityKeyId: p.ukp, note: 'sealed under your identity: open it with meow card commands' }
        : { kdf: p.kdf, note: p.kdf === 'none' ? 'NOT sealed: anyone who reads the file has the keys' : 'unknown protection' };
    const kind = d.kind === 'contact' ? 'contact keys (.contact file)' : d.kind === 'identity' ? 'identity (Ukp)' : String(d.kind);
    return ok({ kind, ...sealing });
  },
};

/** Clear fields of any envelope kind (no keys needed; sealed parts stay sealed). */
export const envelopeInspector: Inspector = {
  name: 'envelope',
  inspect: (bytes) => decodeEnvelopeHeader(bytes),
};

export const gatewayRequestInspector: Inspector = {
  name: 'gateway-request',
  inspect(bytes) {
    const d = decodeGatewayRequest(bytes);
    if (!d.ok) return d;
    const r = d.value;
    switch (r.kind) {
      case 'relay-deposit': return ok({ kind: r.kind, relayUrl: r.relayUrl, tag: r.tag, envelopeBytes: r.envelope.length });
      case 'registration': return ok({ kind: r.kind, sealedBytes: r.sealed.length });
      case 'onion': return ok({ kind: r.kind, ticket: r.ticket, relayUrl: r.relayUrl, packetBytes: r.packet.length });
      case 'onion-catalog': return ok({ kind: r.kind, ticket: r.ticket, relayUrl: r.relayUrl });
    }
  },
};

export const frameInspector: Inspector = {
  name: 'frame',
  inspect(bytes) {
    const d = decodeFrame(bytes, MAX_INSPECT_FRAME_BYTES);
    if (!d.ok) return d;
    const f = d.value;
    const kindName = Object.entries(FrameKind).find(([, v]) => v === f.kind)?.[0] ?? `0x${f.kind.toString(16)}`;
    return ok({
      kind: kindName, routed: f.routed, limit: f.limit, hops: f.hops, attempt: f.attempt,
      destHint: f.destHint.toString(16).padStart(4, '0'),
      ...(f.sourceHint !== undefined ? { sourceHint: f.sourceHint.toString(16).padStart(4, '0') } : {}),
      frameId: f.frameId.toString(16).padStart(8, '0'), route: f.route, payloadBytes: f.payload.length,
    });
  },
};

/** A fresh list per call (no module-level state). */
export function defaultInspectors(suite: CryptoSuite): Inspector[] {
  return [cardInspector(suite), keyFileInspector, gatewayRequestInspector, envelopeInspector, frameInspector];
}
