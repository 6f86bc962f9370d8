/**
 * HTTP basic authentication (RFC 7617) for relays whose URL carries
 * `user:pass@` (whitepaper 5.1: https://user:pass@myauthenticatedserver.net:8443).
 * It keeps strangers off a private relay; it is not what protects messages
 * (the sealing to Skp is), so it is safe only over https.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { BasicCredentials } from '../../../protocol/server/doors.ts';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Returns a checker for `Authorization` header values that compares in constant time. */
export function basicAuthChecker(credentials: BasicCredentials): (header: string | undefined) => boolean {
  // Hash both sides so that the comparison has a fixed length whatever the input.
  const expected = digest(`${credentials.user}:${credentials.pass}`);
  return (header) => {
    if (!header || !header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    return timingSafeEqual(digest(decoded), expected);
  };
}
