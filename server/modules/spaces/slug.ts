import { SLUG_PATTERN, SPACE_SLUG_MAX_LENGTH } from '@common/api/spaces';
import { mixesScripts } from '@common/mixed-script';

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
