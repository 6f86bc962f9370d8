/**
 * The link kind registry (node-runtime/links/registry.ts): what every row
 * must hold for the daemon's configuration to treat kinds alike.
 */
import { describe, expect, it } from 'vitest';
import { ConfigFieldError } from '../../node-runtime/links/config-fields.ts';
import { findLinkKind, linkKinds } from '../../node-runtime/links/registry.ts';

describe('link kind registry', () => {
  it('lists udp, serial and lora, each type once', () => {
    expect(linkKinds.map((k) => k.type)).toEqual(['udp', 'serial', 'lora', 'kiss', 'rnode', 'lora-jumpers']);
    expect(findLinkKind('serial')?.type).toBe('serial');
    expect(findLinkKind('radio')).toBeUndefined();
    expect(findLinkKind(undefined)).toBeUndefined();
  });

  it('every kind accepts its own defaults unchanged and knows every field they hold', () => {
    for (const kind of linkKinds) {
      expect(kind.defaults.type).toBe(kind.type);
      for (const key of Object.keys(kind.defaults)) expect(kind.fields, `${kind.type}.${key}`).toContain(key);
      expect(kind.parse({ type: kind.type }, 'links[0]')).toEqual(kind.defaults);
    }
  });

  it('refuses a bad field with a ConfigFieldError that names it', () => {
    const lora = findLinkKind('lora');
    let caught: unknown;
    try {
      lora?.parse({ type: 'lora', channel: 84 }, 'links[2]');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigFieldError);
    expect((caught as ConfigFieldError).message).toBe('config: links[2].channel must be an integer in 0..83');
    expect((caught as ConfigFieldError).fields).toEqual({ field: 'links[2].channel', expected: 'an integer in 0..83' });
  });
});
