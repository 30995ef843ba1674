/**
 * Look-alike names: letters of two scripts mixed the way a spoofed name mixes them (after UTS #39's
 * "highly restrictive" level). Shared by every module that hands out addresses (spaces, handbook
 * pages), and isomorphic so the app could warn as one types.
 */

/** Scripts told apart for look-alikes; a letter in none of them counts as one more script. */
const scripts = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Georgian',
  'Hangul',
  'Ethiopic',
  'Cherokee',
  'Khmer',
  'Mongolian',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
].map((name) => ({ name, re: new RegExp(`\\p{Script=${name}}`, 'u') }));

/** Script sets that are one writing system (UTS #39 "highly restrictive"), not look-alikes. */
const allowedMixes = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];

/**
 * Whether a text mixes scripts the way look-alikes do ("pаypal" with a Cyrillic а): its letters
 * come from more than one script, other than Latin with Japanese, Chinese or Korean. A text in one
 * script, whichever it is, is fine. Space addresses are checked whole.
 */
export function mixesScripts(text: string): boolean {
  const seen = new Set<string>();
  for (const ch of text) {
    // Common and Inherited letters (ー, marks) belong to every script.
    if (!/\p{L}/u.test(ch) || /[\p{Script=Common}\p{Script=Inherited}]/u.test(ch)) continue;
    seen.add(scripts.find((sc) => sc.re.test(ch))?.name ?? 'other');
  }
  if (seen.size <= 1) return false;
  return !allowedMixes.some((mix) => [...seen].every((sc) => mix.includes(sc)));
}

/**
 * Whether any one word of a text mixes scripts (mixesScripts, word by word): the rule for handbook
 * page titles, which are prose. "Русский for beginners" is a bilingual title, not a look-alike;
 * "Bank lоgin" with a Cyrillic о is. Words are split where slugs split them (anything that is not
 * a letter, digit or mark).
 */
export function wordMixesScripts(text: string): boolean {
  return text.split(/[^\p{L}\p{N}\p{M}]+/u).some(mixesScripts);
}
