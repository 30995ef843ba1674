import { useTranslation } from 'react-i18next';
import { ButtonLink, EmptyState, PageHeader, type IconName } from '@app/components';

/** A place of the hall that is planned but not built yet: says what it will be for. */
export function ComingSoon({ place, icon }: { place: string; icon: IconName }) {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t(`nav.${place}`)} description={t(`places.${place}.lead`)} />
      <EmptyState
        icon={icon}
        title={t('places.comingSoon')}
        action={
          <ButtonLink to="/" variant="secondary" icon="home">
            {t('places.backHome')}
          </ButtonLink>
        }
      >
        <p>{t(`places.${place}.soon`)}</p>
      </EmptyState>
    </>
  );
}
