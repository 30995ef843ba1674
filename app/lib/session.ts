import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { AccountDto, SessionDto } from '@common/api/auth';
import { isLocale } from '@common/i18n/locales';
import { api, onCsrfRefresh, setCsrfToken } from './api';
import { currentLocale, setLocale } from './i18n';

export const sessionKey = ['session'] as const;

async function fetchSession(): Promise<SessionDto> {
  const s = await api.get<SessionDto>('/session');
  setCsrfToken(s.csrfToken);
  return s;
}

/** Lets the API client fetch a fresh CSRF token through the same cache the app reads. */
export function installSessionRefresh(client: QueryClient): void {
  onCsrfRefresh(async () => {
    const s = await client.fetchQuery({
      queryKey: sessionKey,
      queryFn: fetchSession,
      staleTime: 0,
    });
    return s.csrfToken;
  });
}

export interface Session {
  /** Undefined until the first answer arrives. */
  session: SessionDto | undefined;
  account: AccountDto | null;
  isSteward: boolean;
  isLoading: boolean;
  error: unknown;
  /** Re-reads the session (after log-in, log-out, account changes) and returns it. */
  refresh: () => Promise<SessionDto | undefined>;
}

/** Who is using the app, the CSRF token, whether setup is needed and the registration mode. */
export function useSession(): Session {
  const client = useQueryClient();
  const q = useQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: 60_000 });
  const account = q.data?.account ?? null;
  const accountLocale = account?.locale ?? null;
  // The account's own language wins over this device's choice.
  useEffect(() => {
    if (isLocale(accountLocale) && accountLocale !== currentLocale()) void setLocale(accountLocale);
  }, [accountLocale]);
  return {
    session: q.data,
    account,
    isSteward: account?.role === 'steward',
    isLoading: q.isLoading,
    error: q.error,
    refresh: async () => {
      // Everything cached may depend on who is logged in.
      await client.invalidateQueries();
      return client.getQueryData<SessionDto>(sessionKey);
    },
  };
}
