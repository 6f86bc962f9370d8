/**
 * Rendez-vous cards: size and QR version of a 3-server card, decode
 * (structure, key checks, signature) per second on both suites, and the
 * cost of a key fingerprint (4096 SHA-256 iterations).
 */
import QRCode from 'qrcode';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { createInvite } from '../../protocol/card/encode.ts';
import { toQrText } from '../../protocol/card/qr-text.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { keyFingerprint } from '../../protocol/keys/fingerprint.ts';
import {
  generateContactKeyPair, generateEncryptionKeyPair, generateLookupKeyPair,
} from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { type Benchmark, opsPerSecond } from './harness.ts';

const bench: Benchmark = ({ report, quick }) => {
  const durationMs = quick ? 200 : 1000;
  const node = createNodeSuite();
  const random = new SeededRandom('card-bench');
  const card = createInvite(node, {
    contact: generateContactKeyPair(node, random),
    encryptionKey: generateEncryptionKeyPair(node, random).publicKey,
    mailboxId: generateLookupKeyPair(node, random).publicKey,
    servers: ['https://user:pass@relay.example.net:8443', 'mqtt://10.0.0.2:1883', 'mesh://0011223344556677'],
  });
  report({ name: 'card.bytes.3servers', value: card.bytes.length, unit: 'bytes' });
  report({ name: 'card.qr.version.3servers', value: QRCode.create(toQrText(card.bytes), { errorCorrectionLevel: 'M' }).version, unit: 'QR version (level M)' });
  for (const suite of [node, createPortableSuite()]) {
    // A fresh copy each time, as cards arrive from outside (no key object cache hits).
    report({ name: `card.decode.${suite.name}`, value: opsPerSecond(() => void decodeCard(suite, card.bytes.slice()), durationMs), unit: 'cards/s' });
  }
  report({ name: 'card.fingerprint', value: 1000 / opsPerSecond(() => void keyFingerprint(node, card.contactKey), durationMs), unit: 'ms' });
};

export default bench;
