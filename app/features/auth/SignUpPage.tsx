import { useTranslation } from 'react-i18next';
import { PageHeader } from '@app/components';

export function SignUpPage() {
  const { t } = useTranslation('auth');
  return <PageHeader title={t('todo')} />;
}
