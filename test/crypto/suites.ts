/** Both CryptoSuite implementations, so every vector test runs against each. */
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';

export const suites: readonly CryptoSuite[] = [
  createPortableSuite(),
  createNodeSuite(),
  // Forces node:crypto's AEAD for every size, so the native path meets the vectors too.
  { ...createNodeSuite({ nativeAeadMinBytes: 0 }), name: 'node-native-aead' },
];
