import { describe, expect, it } from 'vitest';
import en from '../i18n/locales/en/spaces.json';
import { spacesErrorCodes } from '../api/spaces.errors';
import { CloseCodes, closeCodeName, shouldReconnect } from './close-codes';
import {
  parseClientMessage,
  serverMessageSchema,
  signalErrorCodes,
  SIGNAL_LIMITS,
} from './messages';

describe('signalling protocol', () => {
  it('parses a valid message and names what is wrong with a bad one', () => {
    expect(parseClientMessage('{"type":"hand","raised":true}')).toEqual({
      ok: true,
      message: { type: 'hand', raised: true },
    });
    expect(parseClientMessage('{"type":"resubscribe","ref":"r"}')).toEqual({
      ok: true,
      message: { type: 'resubscribe', ref: 'r' },
    });
    expect(parseClientMessage('{"type":"resubscribe","pc":"subscribe"}')).toMatchObject({
      ok: false,
      code: 'invalid_message',
    });
    expect(parseClientMessage('{')).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(parseClientMessage('{"type":"x","ref":"r"}')).toMatchObject({
      ok: false,
      code: 'unknown_type',
      ref: 'r',
    });
    expect(parseClientMessage('{"type":"hand"}')).toMatchObject({
      ok: false,
      code: 'invalid_message',
    });
    // Multi-byte characters count in bytes, not UTF-16 units.
    const big = JSON.stringify({
      type: 'chat',
      text: '€'.repeat(SIGNAL_LIMITS.maxMessageBytes / 3),
    });
    expect(big.length).toBeLessThan(SIGNAL_LIMITS.maxMessageBytes);
    expect(parseClientMessage(big)).toMatchObject({ ok: false, code: 'message_too_large' });
  });

  it('validates server messages too (the client side uses this)', () => {
    expect(serverMessageSchema.safeParse({ type: 'hands', queue: ['a'] }).success).toBe(true);
    expect(serverMessageSchema.safeParse({ type: 'hands', queue: 'a' }).success).toBe(false);
    // media_failed names the failed peer connection; older servers leave it out.
    const failed = { type: 'error', code: 'media_failed', message: 'no' };
    expect(serverMessageSchema.parse({ ...failed, connection: 'subscribe' })).toEqual({
      ...failed,
      connection: 'subscribe',
    });
    expect(serverMessageSchema.safeParse(failed).success).toBe(true);
    expect(serverMessageSchema.safeParse({ ...failed, connection: 'both' }).success).toBe(false);
  });

  it('names close codes and says which ones a client should reconnect after', () => {
    expect(closeCodeName(4007)).toBe('removed');
    expect(closeCodeName(4999)).toBeUndefined();
    expect(shouldReconnect(1006)).toBe(true);
    expect(shouldReconnect(CloseCodes.goingAway)).toBe(true);
    expect(shouldReconnect(CloseCodes.removed)).toBe(false);
    expect(shouldReconnect(CloseCodes.flood)).toBe(false);
    expect(new Set(Object.values(CloseCodes)).size).toBe(Object.values(CloseCodes).length);
  });

  it('has an English text for every error code and application close code', () => {
    for (const code of spacesErrorCodes) expect(en.errors[code], code).toBeTruthy();
    for (const code of signalErrorCodes) expect(en.signal[code], code).toBeTruthy();
    for (const [name, code] of Object.entries(CloseCodes)) {
      if (code >= 4000) expect((en.close as Record<string, string>)[name], name).toBeTruthy();
    }
  });
});
