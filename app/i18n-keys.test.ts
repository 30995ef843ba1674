/**
 * Every `t('…')` key written in the app exists in the English catalogues, and every error code the
 * server may return for common and auth has a translation. (Keys built at run time, such as
 * `nav.${key}`, are checked from the data they are built from.)
 */
import { describe, expect, it } from 'vitest';
import { commonErrorCodes } from '@common/api/errors';
import { authErrorCodes } from '@common/api/auth.errors';
import { navEntries } from '@app/shell/nav';

type Tree = { [key: string]: string | Tree };
const catalogueFiles = import.meta.glob<Tree>('../common/i18n/locales/en/*.json', {
  eager: true,
  import: 'default',
});
const english: Record<string, Tree> = {};
for (const [path, tree] of Object.entries(catalogueFiles)) {
  const ns = /\/([^/]+)\.json$/.exec(path)?.[1];
  if (ns !== undefined) english[ns] = tree;
}

const sources = import.meta.glob<string>(['./**/*.ts', './**/*.tsx', '!./**/*.test.ts'], {
  eager: true,
  query: '?raw',
  import: 'default',
});

function lookup(ns: string, key: string): boolean {
  let node: string | Tree | undefined = english[ns];
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return false;
    node = node[part];
  }
  return typeof node === 'string' && node !== '';
}

/** As i18next resolves: the key (or its plural forms) in the namespace, then in common. */
function exists(ns: string, key: string): boolean {
  return [ns, 'common'].some(
    (n) => lookup(n, key) || (lookup(n, `${key}_one`) && lookup(n, `${key}_other`)),
  );
}

describe('i18n keys used by the app', () => {
  it('scans a reasonable number of source files', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(20);
  });

  it('every literal t() key exists in English', () => {
    const missing: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      const fileNs = /useTranslation\(\s*['"]([\w-]+)['"]/.exec(text)?.[1] ?? 'common';
      for (const m of text.matchAll(/\bt\(\s*['"]([^'"]+)['"]/g)) {
        const raw = m[1] ?? '';
        const [ns, key] = raw.includes(':')
          ? (raw.split(':', 2) as [string, string])
          : [fileNs, raw];
        if (!exists(ns, key)) missing.push(`${file}: ${ns}:${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('keys built at run time exist in English', () => {
    const keys = [
      ...navEntries.flatMap((e) => [
        `nav.${e.key}`,
        `places.${e.key}.lead`,
        `places.${e.key}.soon`,
      ]),
    ].filter((k) => !exists('common', k));
    const auth = ['roles.member', 'roles.steward'].filter((k) => !exists('auth', k));
    const admin = [
      ...['active', 'pending', 'disabled'].map((s) => `status.${s}`),
      ...['open', 'invitation', 'approval'].flatMap((m) => [
        `registration.${m}.label`,
        `registration.${m}.description`,
      ]),
      ...['accounts', 'registration', 'invitations'].map((t) => `tabs.${t}`),
      ...['open', 'used', 'expired'].map((s) => `invitations.state.${s}`),
    ].filter((k) => !exists('admin', k));
    expect([...keys, ...auth, ...admin]).toEqual([]);
  });

  it('every common and auth error code has a translation', () => {
    const missing = [
      ...commonErrorCodes.filter((c) => !lookup('common', `errors.${c}`)),
      ...authErrorCodes.filter((c) => !lookup('auth', `errors.${c}`)),
    ];
    expect(missing).toEqual([]);
  });
});
