import { SLUG_PATTERN, SPACE_SLUG_MAX_LENGTH } from '@common/api/spaces';

/**
 * Makes a slug from a space's name, keeping letters of every script: "Réunion du Lundi" →
 * "réunion-du-lundi", "会議室 A" → "会議室-a". NFC-normalised, lower-cased; anything that is not a
 * letter, digit or mark becomes a single hyphen. Returns '' when nothing usable is left.
 */
export function slugify(name: string): string {
  const words = name
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFC')
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter((w) => w !== '');
  let out = '';
  for (const w of words) {
    const next = out === '' ? w : `${out}-${w}`;
    if ([...next].length > SPACE_SLUG_MAX_LENGTH) break;
    out = next;
  }
  if (out === '' && words[0] !== undefined) {
    out = [...words[0]].slice(0, SPACE_SLUG_MAX_LENGTH).join('');
  }
  return SLUG_PATTERN.test(out) ? out : '';
}

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
 * Whether a slug mixes scripts the way look-alikes do ("pаypal" with a Cyrillic а): its letters
 * come from more than one script, other than Latin with Japanese, Chinese or Korean. A slug in one
 * script, whichever it is, is fine.
 */
export function mixesScripts(slug: string): boolean {
  const seen = new Set<string>();
  for (const ch of slug) {
    // Common and Inherited letters (ー, marks) belong to every script.
    if (!/\p{L}/u.test(ch) || /[\p{Script=Common}\p{Script=Inherited}]/u.test(ch)) continue;
    seen.add(scripts.find((sc) => sc.re.test(ch))?.name ?? 'other');
  }
  if (seen.size <= 1) return false;
  return !allowedMixes.some((mix) => [...seen].every((sc) => mix.includes(sc)));
}

/**
 * A free slug from a name: the slugified name, else `<base>-2`, `-3` … `taken` answers whether a
 * slug is in use. Falls back to "space" when the name has no letters or digits.
 */
export async function suggestSlug(
  name: string,
  taken: (slug: string) => Promise<boolean>,
): Promise<string> {
  const made = slugify(name);
  const base = made !== '' && !mixesScripts(made) ? made : 'space';
  if (!(await taken(base))) return base;
  for (let n = 2; n < 1000; n++) {
    const suffix = `-${n}`;
    const head = [...base].slice(0, SPACE_SLUG_MAX_LENGTH - suffix.length).join('');
    const candidate = `${head.replace(/-+$/, '')}${suffix}`;
    if (!(await taken(candidate))) return candidate;
  }
  // Practically unreachable; a random tail keeps the suggestion free.
  return `${[...base].slice(0, SPACE_SLUG_MAX_LENGTH - 9).join('')}-${Math.random().toString(36).slice(2, 10)}`;
}
