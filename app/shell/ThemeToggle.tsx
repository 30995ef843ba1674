import { useTranslation } from 'react-i18next';
import { Icon } from '@app/components';
import { useTheme } from '@app/lib/theme';

/** Switches between light and dark; the choice is remembered on this device. */
export function ThemeToggle() {
  const { t } = useTranslation();
  const { scheme, toggle } = useTheme();
  const label = scheme === 'dark' ? t('shell.useLightTheme') : t('shell.useDarkTheme');
  return (
    <button type="button" className="icon-btn" onClick={toggle} aria-label={label} title={label}>
      <Icon name={scheme === 'dark' ? 'sun' : 'moon'} />
    </button>
  );
}
