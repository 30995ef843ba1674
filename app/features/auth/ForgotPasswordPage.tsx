import { useTranslation } from 'react-i18next';
import { PageHeader } from '@app/components';

export function ForgotPasswordPage() {
  const { t } = useTranslation('auth');
  return <PageHeader title={t('todo')} />;
}
