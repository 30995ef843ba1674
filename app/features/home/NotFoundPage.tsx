import { useTranslation } from 'react-i18next';
import { ButtonLink, EmptyState, useDocumentTitle } from '@app/components';

/** Any address the app does not know. */
export function NotFoundPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('notFound.title'));
  return (
    <EmptyState
      icon="alert"
      level={1}
      title={t('notFound.title')}
      action={
        <ButtonLink to="/" icon="home">
          {t('places.backHome')}
        </ButtonLink>
      }
    >
      <p>{t('notFound.body')}</p>
    </EmptyState>
  );
}
