import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../protocol/codec/reader.ts';
import { ByteWriter } from '../../protocol/codec/writer.ts';
import { toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { meshEntryHasKey, meshNodeOf, parseServerUrl, readServerUrl, writeServerUrl } from '../../protocol/card/server-url.ts';

/** RFC 8032 section 7.1 TEST 1 public key: a valid Ed25519 point, standing in for a node key. */
const RFC8032_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

describe('parseServerUrl', () => {
  // input -> canonical URL, following WHATWG URL serialisation.
  const accepted: [string, string][] = [
    ['http://myserver.com', 'http://myserver.com'],
    ['http://MyServer.COM/', 'http://myserver.com'],
    ['HTTP://myserver.com:80', 'http://myserver.com'],
    ['https://user:pass@myauthenticatedserver.net:8443', 'https://user:pass@myauthenticatedserver.net:8443'],
    ['https://relay.example/meow?v=1', 'https://relay.example/meow?v=1'],
    ['mqtt://mymqttserver:6203', 'mqtt://mymqttserver:6203'],
    ['mqtts://u:p@broker.example:8883', 'mqtts://u:p@broker.example:8883'],
    ['udp://myudpserver.org:41325', 'udp://myudpserver.org:41325'],
    ['udp://[::1]:41325', 'udp://[::1]:41325'],
    ['serial://dev/ttyS0', 'serial://dev/ttyS0'],
    ['serial:///dev/ttyUSB0', 'serial:///dev/ttyUSB0'],
    ['serial://dev/serial0?baud=9600', 'serial://dev/serial0?baud=9600'],
    ['mesh://0123456789abcdef', 'mesh://0123456789abcdef'],
    [`mesh://${RFC8032_KEY}`, `mesh://${RFC8032_KEY}`],
  ];
  for (const [input, canonical] of accepted) {
    it(`accepts ${input}`, () => {
      const r = parseServerUrl(input);
      expect(r).toEqual({ ok: true, value: { scheme: canonical.split(':')[0], url: canonical } });
    });
  }

  const refused: [string, RegExp][] = [
    ['ftp://example.com', /unsupported scheme/],
    ['myserver.com', /unsupported scheme/],
    ['http://', /not a valid URL/],
    ['http://exa mple.com', /not a valid URL/],
    ['https://host/#frag', /fragments/],
    ['udp://u:p@host:1', /no credentials/],
    ['udp://:1', /not a valid URL|host is required/],
    ['mqtt://', /host is required/],
    ['serial://', /device path/],
    ['mesh://0123456789ABCDEF', /mesh:/],
    ['mesh://0123456789abcde', /mesh:/],
    ['mesh://0123456789abcdef/x', /mesh:/],
    ['mesh://0123456789abcdef:1', /mesh:/],
    [`mesh://${RFC8032_KEY.toUpperCase()}`, /mesh:/],
    [`mesh://${RFC8032_KEY.slice(2)}`, /mesh:/],
    [`mesh://${RFC8032_KEY}00`, /mesh:/],
    [`mesh://${RFC8032_KEY}/x`, /mesh:/],
    [`mesh://${RFC8032_KEY}#k=${'00'.repeat(16)}`, /mesh/],
    [`mesh://${'00'.repeat(32)}`, /not a valid Ed25519/],          // y = 0: a point of order 4
    [`mesh://${'ff'.repeat(32)}`, /not a valid Ed25519/],          // y >= p: not canonical
    [`https://${'a'.repeat(200)}.example`, /longer than 200/],
    ['toString://x', /unsupported scheme/],
  ];
  for (const [input, reason] of refused) {
    it(`refuses ${input.slice(0, 40)}`, () => {
      const r = parseServerUrl(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    });
  }
});

describe('server entry bytes', () => {
  it('writes scheme code, varint length and the rest, and 8 raw bytes for mesh', () => {
    const w = new ByteWriter();
    writeServerUrl(w, { scheme: 'udp', url: 'udp://h:1' });
    writeServerUrl(w, { scheme: 'mesh', url: 'mesh://0123456789abcdef' });
    expect(toHex(w.finish())).toBe(`0503${toHex(utf8('h:1'))}070123456789abcdef`);
  });

  it('writes a mesh entry with the node key as 0x87 (mesh | 0x80) then the 32 raw key bytes', () => {
    const w = new ByteWriter();
    writeServerUrl(w, { scheme: 'mesh', url: `mesh://${RFC8032_KEY}` });
    expect(toHex(w.finish())).toBe(`87${RFC8032_KEY}`);
  });

  it('names the node by key or id: meshNodeOf and meshEntryHasKey', () => {
    expect(toHex(meshNodeOf({ scheme: 'mesh', url: `mesh://${RFC8032_KEY}` })!)).toBe(RFC8032_KEY);
    expect(meshEntryHasKey({ scheme: 'mesh', url: `mesh://${RFC8032_KEY}` })).toBe(true);
    expect(toHex(meshNodeOf({ scheme: 'mesh', url: 'mesh://0123456789abcdef' })!)).toBe('0123456789abcdef');
    expect(meshEntryHasKey({ scheme: 'mesh', url: 'mesh://0123456789abcdef' })).toBe(false);
    expect(meshNodeOf({ scheme: 'udp', url: 'udp://h:1' })).toBeUndefined();
  });

  function read(hex: string): ReturnType<typeof readServerUrl> | string {
    const bytes = Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
    const r = new ByteReader(bytes);
    const s = readServerUrl(r);
    return r.error ? r.error.code : s;
  }

  it('refuses what is not the canonical form, unknown schemes and bad UTF-8', () => {
    expect(read(`0103${toHex(utf8('h:1'))}`)).toEqual({ scheme: 'http', url: 'http://h:1' });
    expect(read(`0104${toHex(utf8('H:1/'))}`)).toBe('bad-value');   // upper case host and slash: not canonical
    expect(read(`0104${toHex(utf8('h:80'))}`)).toBe('bad-value');   // default port spelled out
    expect(read(`0102ffff`)).toBe('bad-encoding');
    expect(read(`0800`)).toBe('bad-kind');
    expect(read(`00`)).toBe('bad-kind');
    expect(read(`0105${toHex(utf8('h:1'))}`)).toBe('truncated');
    expect(read(`0701020304`)).toBe('truncated');
    expect(read(`01c901`)).toBe('too-long');                          // 201 bytes
    expect(read(`0100`)).toBe('bad-value');                           // empty http URL
  });

  it('reads a keyed mesh entry back to its one text form, and refuses keys that are no Ed25519 point', () => {
    expect(read(`87${RFC8032_KEY}`)).toEqual({ scheme: 'mesh', url: `mesh://${RFC8032_KEY}` });
    expect(read(`070123456789abcdef`)).toEqual({ scheme: 'mesh', url: 'mesh://0123456789abcdef' });
    expect(read(`87${RFC8032_KEY.slice(0, 62)}`)).toBe('truncated');      // 31 key bytes
    expect(read(`870123456789abcdef`)).toBe('truncated');                 // an id behind the key flag
    expect(read(`87${'00'.repeat(32)}`)).toBe('bad-value');               // small order
    expect(read(`87${'ff'.repeat(32)}`)).toBe('bad-value');               // not canonical (y >= p)
    expect(read(`87${'ec'}${'ff'.repeat(30)}7f`)).toBe('bad-value');      // y = p: a second spelling of 0
  });
});
