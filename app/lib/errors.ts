import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api';
import { namespaces } from './i18n';

/**
 * Returns a function that turns any error into a sentence in the reader's language: the
 * translation of `errors.<code>` from whichever namespace has it, else the server's own message.
 */
export function useErrorMessage(): (err: unknown) => string {
  const { t, i18n } = useTranslation(namespaces);
  return useCallback(
    (err: unknown) => {
      if (err instanceof ApiError) {
        const key = `errors.${err.code}`;
        if (i18n.exists(key, { ns: namespaces })) return t(key, { ns: namespaces });
        if (err.message !== '') return err.message;
      }
      return t('errors.unexpected', { ns: 'common' });
    },
    [t, i18n],
  );
}
