/**
 * i18next set up with every namespace of every shipped language, from
 * common/i18n/locales/<lang>/<namespace>.json. English (the fallback) is bundled; each other
 * language is its own small chunk, fetched when first chosen. Language choice: the account's
 * locale (applied by the session hook), then the one remembered in localStorage, then the browser's.
 */
import i18next, { type Resource, type ResourceLanguage } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { defaultLocale, isLocale, locales, type Locale } from '@common/i18n/locales';

type Catalogue = Record<string, unknown>;
const englishFiles = import.meta.glob<Catalogue>('../../common/i18n/locales/en/*.json', {
  eager: true,
  import: 'default',
});
const otherFiles = import.meta.glob<Catalogue>(
  ['../../common/i18n/locales/*/*.json', '!../../common/i18n/locales/en/*.json'],
  { import: 'default' },
);

function parsePath(path: string): { lang: string; ns: string } | undefined {
  const m = /locales\/([^/]+)\/([^/]+)\.json$/.exec(path);
  return m === null ? undefined : { lang: m[1] ?? '', ns: m[2] ?? '' };
}

const resources: Resource = {};
const found = new Set<string>();
for (const [path, catalogue] of Object.entries(englishFiles)) {
  const p = parsePath(path);
  if (p === undefined) continue;
  const forLang: ResourceLanguage = (resources[p.lang] ??= {});
  forLang[p.ns] = catalogue;
  found.add(p.ns);
}

const loaded = new Set<string>(['en']);
/** Fetches every namespace of one language (once) and adds it to i18next. */
async function loadLanguage(lang: Locale): Promise<void> {
  if (loaded.has(lang)) return;
  const entries = Object.entries(otherFiles)
    .map(([path, load]) => ({ ...parsePath(path), load }))
    .filter((e) => e.lang === lang);
  const catalogues = await Promise.all(
    entries.map(async (e) => [e.ns ?? '', await e.load()] as const),
  );
  for (const [ns, catalogue] of catalogues)
    i18next.addResourceBundle(lang, ns, catalogue, true, true);
  loaded.add(lang);
}

/** Every namespace shipped (common first): features may use any of them. */
export const namespaces: string[] = ['common', ...[...found].filter((n) => n !== 'common').sort()];

const STORAGE_KEY = 'commonhall.locale';

function storedLocale(): Locale | undefined {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return isLocale(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function browserLocale(): Locale | undefined {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lang = tag.toLowerCase().split('-')[0];
    if (isLocale(lang)) return lang;
  }
  return undefined;
}

/** The language to start in before the session (and its account locale) is known. */
export function initialLocale(): Locale {
  return storedLocale() ?? browserLocale() ?? defaultLocale;
}

/** Switches the interface language and remembers it on this device. */
export async function setLocale(locale: Locale): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  await loadLanguage(locale);
  await i18next.changeLanguage(locale);
}

/** The language currently shown. */
export function currentLocale(): Locale {
  const l = i18next.resolvedLanguage ?? i18next.language;
  return isLocale(l) ? l : defaultLocale;
}

function syncHtmlLang(lng: string): void {
  document.documentElement.lang = lng;
}

const startLocale = initialLocale();
/** Resolves when the first language is ready to render. */
export const i18nReady = i18next
  .use(initReactI18next)
  .init({
    resources,
    partialBundledLanguages: true,
    lng: startLocale,
    fallbackLng: defaultLocale,
    supportedLngs: [...locales],
    ns: namespaces,
    defaultNS: 'common',
    fallbackNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
  })
  .then(() => loadLanguage(startLocale))
  .then(() => i18next.changeLanguage(startLocale));
i18next.on('languageChanged', syncHtmlLang);
syncHtmlLang(startLocale);

export { i18next };
