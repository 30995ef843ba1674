import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountDto } from '@common/api/auth';
import { isLocale, localeNames, locales } from '@common/i18n/locales';
import { Icon } from '@app/components';
import { api } from '@app/lib/api';
import { currentLocale, setLocale } from '@app/lib/i18n';
import { useSession } from '@app/lib/session';

/** Changes the language at once; for a logged-in person it also becomes the account's language. */
export function LanguageSwitcher() {
  const { t } = useTranslation();
  const { account, refresh } = useSession();
  const id = useId();
  const onChange = async (value: string) => {
    if (!isLocale(value)) return;
    await setLocale(value);
    if (account !== null) {
      await api.patch<AccountDto>('/me', { locale: value });
      await refresh();
    }
  };
  return (
    <div className="lang-switch">
      <Icon name="globe" size={18} />
      <label htmlFor={id} className="visually-hidden">
        {t('shell.language')}
      </label>
      <select id={id} value={currentLocale()} onChange={(e) => void onChange(e.target.value)}>
        {locales.map((l) => (
          <option key={l} value={l} lang={l}>
            {localeNames[l]}
          </option>
        ))}
      </select>
    </div>
  );
}
