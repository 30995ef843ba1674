import { useCallback, useSyncExternalStore } from 'react';

/** 'system' follows prefers-color-scheme; a manual choice is remembered on this device. */
export type ThemeChoice = 'system' | 'light' | 'dark';
export type Scheme = 'light' | 'dark';

// Same key as public/theme.js, which applies the choice before the first paint.
const STORAGE_KEY = 'commonhall.theme';
const listeners = new Set<() => void>();
const media = window.matchMedia('(prefers-color-scheme: dark)');

function readChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

function apply(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

function snapshot(): Scheme {
  const c = readChoice();
  if (c !== 'system') return c;
  return media.matches ? 'dark' : 'light';
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  media.addEventListener('change', fn);
  return () => {
    listeners.delete(fn);
    media.removeEventListener('change', fn);
  };
}

/** Sets and remembers the colour scheme. */
export function setTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Not remembered in private mode; still applied.
  }
  apply(choice);
  for (const fn of listeners) fn();
}

/** The scheme in effect and a toggle to the other one. */
export function useTheme(): { scheme: Scheme; toggle: () => void } {
  const scheme = useSyncExternalStore(subscribe, snapshot);
  const toggle = useCallback(() => setTheme(snapshot() === 'dark' ? 'light' : 'dark'), []);
  return { scheme, toggle };
}

apply(readChoice());
