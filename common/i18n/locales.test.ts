import { describe, expect, it } from 'vitest';
import { locales } from './locales';

type Tree = { [key: string]: string | Tree };

const files = import.meta.glob<Tree>('./locales/*/*.json', { eager: true, import: 'default' });

/** { lang: { namespace: catalogue } } from the files on disk. */
const catalogues: Record<string, Record<string, Tree>> = {};
for (const [path, tree] of Object.entries(files)) {
  const m = /locales\/([^/]+)\/([^/]+)\.json$/.exec(path);
  if (m === null) continue;
  const [, lang = '', ns = ''] = m;
  (catalogues[lang] ??= {})[ns] = tree;
}

/** Every leaf as "a.b.c" → value. */
function flatten(tree: Tree, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (typeof v === 'object' && v !== null)
      for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

const english = catalogues.en ?? {};
const namespaces = Object.keys(english).sort();

describe('translation catalogues', () => {
  it('ship English with the app namespaces', () => {
    expect(namespaces).toEqual(expect.arrayContaining(['admin', 'auth', 'common']));
  });

  for (const lang of locales.filter((l) => l !== 'en')) {
    for (const ns of namespaces) {
      it(`${lang}/${ns}.json has every key English has, none empty, same placeholders`, () => {
        const reference = flatten(english[ns] ?? {});
        const mine = flatten(catalogues[lang]?.[ns] ?? {});
        const missing = [...reference.keys()].filter((k) => !mine.has(k));
        const empty = [...mine].filter(([, v]) => typeof v !== 'string' || v.trim() === '');
        const extra = [...mine.keys()].filter((k) => !reference.has(k));
        const wrongPlaceholders = [...reference]
          .filter(([k]) => mine.has(k))
          .filter(([k, v]) => {
            const theirs = mine.get(k);
            return (
              typeof v === 'string' &&
              typeof theirs === 'string' &&
              placeholders(v).join() !== placeholders(theirs).join()
            );
          })
          .map(([k]) => k);
        expect({ missing, empty: empty.map(([k]) => k), extra, wrongPlaceholders }).toEqual({
          missing: [],
          empty: [],
          extra: [],
          wrongPlaceholders: [],
        });
      });
    }
  }

  it('English itself has no empty value', () => {
    for (const ns of namespaces) {
      const empty = [...flatten(english[ns] ?? {})].filter(
        ([, v]) => typeof v !== 'string' || v.trim() === '',
      );
      expect(empty.map(([k]) => `${ns}:${k}`)).toEqual([]);
    }
  });
});
