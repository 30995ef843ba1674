import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Alert, Loading } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { handbookApi, hbKeys } from '../api';
import { useLinkClicks } from './useLinkClicks';

/**
 * The page's neighbourhood (preview-next-diagram), drawn by the server as SVG. Every node links
 * to its page; clicks stay inside the app.
 */
export function DiagramPanel({
  slug,
  onMissing,
}: {
  slug: string;
  onMissing: (title: string) => void;
}) {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const clicks = useLinkClicks(onMissing);
  const q = useQuery({ queryKey: hbKeys.diagram(slug), queryFn: () => handbookApi.diagram(slug) });
  return (
    <section className="hb-diagram-panel" aria-label={t('diagram.label')}>
      {q.isPending ? (
        <Loading label={t('diagram.loading')} />
      ) : q.error !== null ? (
        <Alert tone="danger">{errorMessage(q.error)}</Alert>
      ) : q.data.problem === 'too_complex' ? (
        <p className="hb-diagram-error">{t('diagram.tooComplex')}</p>
      ) : q.data.error !== undefined ? (
        <div>
          <p>{t('diagram.error')}</p>
          <pre className="hb-diagram-error">{q.data.error}</pre>
        </div>
      ) : (
        <figure className="hb-diagram">
          <div
            className="hb-diagram-svg"
            onClick={clicks}
            dangerouslySetInnerHTML={{ __html: q.data.svg ?? '' }}
          />
          <figcaption className="muted small">
            {q.data.truncated ? t('diagram.truncated') : t('diagram.caption')}
          </figcaption>
        </figure>
      )}
    </section>
  );
}
