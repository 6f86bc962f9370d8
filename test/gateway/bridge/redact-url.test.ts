import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../gateway/bridge/redact-url.ts';

describe('redactUrl', () => {
  it('drops basic-auth credentials and keeps the rest', () => {
    expect(redactUrl('https://user:s3cret@relay.example:8443/x')).toBe('https://relay.example:8443/x');
    expect(redactUrl('mqtt://only-user@broker:1883')).toBe('mqtt://broker:1883');
    expect(redactUrl('http://relay.example:8470')).toBe('http://relay.example:8470');
    expect(redactUrl('not a url')).toBe('<unparsable URL>');
  });
});
