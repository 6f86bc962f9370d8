import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { createInvite } from '../../protocol/card/encode.ts';
import { fromQrText, MAX_QR_TEXT_CHARS, toQrText } from '../../protocol/card/qr-text.ts';
import { MAX_CARD_BYTES, MAX_CARD_SERVERS } from '../../protocol/card/types.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { cardKeys, readCardVectors } from './helpers.ts';

const suite = createNodeSuite();
const invite = readCardVectors().get('invite')!.bytes; // 3 servers: https with credentials, mqtt, mesh

describe('QR payload', () => {
  it('decodes the RFC 9285 section 4.3 examples through the library it wraps', () => {
    // RFC 9285 section 4.3: "AB" -> "BB8", "Hello!!" -> "%69 VD92EX0", "base-45" -> "UJCLQE7W581".
    const enc = new TextEncoder();
    expect(toQrText(enc.encode('AB'))).toBe('MEOW:BB8');
    expect(toQrText(enc.encode('Hello!!'))).toBe('MEOW:%69 VD92EX0');
    expect(toQrText(enc.encode('base-45'))).toBe('MEOW:UJCLQE7W581');
    // RFC 9285 section 4.4: "QED8WEX0" decodes to "ietf!".
    const d = fromQrText('MEOW:QED8WEX0');
    expect(d.ok && new TextDecoder().decode(d.value)).toBe('ietf!');
  });

  it('fits one QR code at level M, alphanumeric mode, for a card with 3 servers (version 12)', () => {
    const text = toQrText(invite);
    const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
    expect(qr.segments.map((s) => s.mode.id)).toEqual(['Alphanumeric']);
    expect(invite.length).toBe(255);
    expect(text.length).toBe(388);
    expect(qr.version).toBe(12);
    expect(fromQrText(`${text}\n`)).toEqual({ ok: true, value: invite });
  });

  it('fits the largest card the caps allow (8 servers of 200 bytes, each with a relay key fingerprint) in version 40-M', () => {
    const servers = Array.from({ length: MAX_CARD_SERVERS }, (_, i) => `https://${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example${i}.net:8443#k=${'5a'.repeat(16)}`);
    const card = createInvite(suite, cardKeys(suite, new SeededRandom('max'), servers));
    expect(card.bytes.length).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(card.bytes.length).toBeGreaterThan(MAX_CARD_BYTES - 20);
    const text = toQrText(card.bytes);
    expect(text.length).toBeLessThanOrEqual(MAX_QR_TEXT_CHARS);
    expect(QRCode.create(text, { errorCorrectionLevel: 'M' }).version).toBeLessThanOrEqual(40);
  });

  it('is strict: prefix, alphabet, length and canonical base45', () => {
    const body = toQrText(invite).slice(5);
    expect(fromQrText(body)).toMatchObject({ ok: false, code: 'bad-kind' });
    expect(fromQrText(`MEOW:${body}a`)).toMatchObject({ ok: false, code: 'bad-encoding' });
    expect(fromQrText(`MEOW:${body.slice(0, -1)}`)).toMatchObject({ ok: false, code: 'bad-encoding' });
    expect(fromQrText('MEOW::::')).toMatchObject({ ok: false, code: 'bad-encoding' }); // 91124 > 65535
    expect(fromQrText('MEOW:::')).toMatchObject({ ok: false, code: 'bad-encoding' }); // 2024 > 255
    expect(fromQrText(`MEOW:${'0'.repeat(MAX_QR_TEXT_CHARS)}`)).toMatchObject({ ok: false, code: 'too-long' });
    expect(toHex((fromQrText('MEOW:') as { value: Uint8Array }).value)).toBe('');
  });
});
