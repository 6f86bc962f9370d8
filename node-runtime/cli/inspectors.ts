/**
 * What `meow inspect` can recognise: a list tried in order, the first
 * decoder that accepts the bytes wins. Each part of the protocol registers
 * its decoder here (cards now; envelopes and mesh frames are added by their
 * owners): append an entry to the array in defaultInspectors.
 */
import type { DecodeResult } from '../../protocol/codec/result.ts';
import { ok } from '../../protocol/codec/result.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { cardView } from '../../protocol/card/view.ts';

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

/** A fresh list per call (no module-level state). */
export function defaultInspectors(suite: CryptoSuite): Inspector[] {
  return [
    cardInspector(suite),
  ];
}
