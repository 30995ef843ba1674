/**
 * i18next set up with every namespace of every shipped language, bundled from
 * common/i18n/locales/<lang>/<namespace>.json. Language choice: the account's locale (applied by
 * the session hook), then the one remembered in localStorage, then the browser's.
 */
import i18next, { type Resource, type ResourceLanguage } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { defaultLocale, isLocale, locales, type Locale } from '@common/i18n/locales';

const files = import.meta.glob<Record<string, unknown>>('../../common/i18n/locales/*/*.json', {
  eager: true,
  import: 'default',
});

const resources: Resource = {};
const found = new Set<string>();
for (const [path, catalogue] of Object.entries(files)) {
  const m = /locales\/([^/]+)\/([^/]+)\.json$/.exec(path);
  if (m === null) continue;
  const [, lang = '', ns = ''] = m;
  const forLang: ResourceLanguage = (resources[lang] ??= {});
  forLang[ns] = catalogue;
  found.add(ns);
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

export const i18nReady = i18next.use(initReactI18next).init({
  resources,
  lng: initialLocale(),
  fallbackLng: defaultLocale,
  supportedLngs: [...locales],
  ns: namespaces,
  defaultNS: 'common',
  fallbackNS: 'common',
  interpolation: { escapeValue: false },
  returnNull: false,
});
i18next.on('languageChanged', syncHtmlLang);
syncHtmlLang(initialLocale());

export { i18next };
