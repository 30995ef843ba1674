import { useTranslation } from 'react-i18next';
import { PageHeader } from '@app/components';

export function AdminPage() {
  const { t } = useTranslation('admin');
  return <PageHeader title={t('title')} />;
}
