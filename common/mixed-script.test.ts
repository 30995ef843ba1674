import { describe, expect, it } from 'vitest';
import { mixesScripts, wordMixesScripts } from './mixed-script';

describe('look-alike names (mixed scripts)', () => {
  it('finds letters of two scripts in one text, Latin with Japanese, Chinese or Korean aside', () => {
    expect(mixesScripts('pаypal')).toBe(true); // Cyrillic а
    expect(mixesScripts('αlpha')).toBe(true); // Greek α
    expect(mixesScripts('paypal')).toBe(false);
    expect(mixesScripts('москва')).toBe(false);
    expect(mixesScripts('ελληνικά-2')).toBe(false);
    expect(mixesScripts('会議室-a')).toBe(false);
    expect(mixesScripts('東京タワー-tour')).toBe(false);
    expect(mixesScripts('café-à-la-carte')).toBe(false);
    expect(mixesScripts('русский-for-beginners')).toBe(true);
  });

  it('word by word, a bilingual title is fine and a look-alike word is not', () => {
    expect(wordMixesScripts('русский-for-beginners')).toBe(false);
    expect(wordMixesScripts('Welcome / Добро пожаловать')).toBe(false);
    expect(wordMixesScripts('bank-lоgin')).toBe(true); // Cyrillic о
    expect(wordMixesScripts('')).toBe(false);
  });
});
