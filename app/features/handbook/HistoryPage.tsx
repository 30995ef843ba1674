import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, Loading, useDocumentTitle } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { handbookApi, hbKeys } from './api';
import { HandbookLayout } from './components/HandbookLayout';
import { HbIcon } from './components/HbIcon';
import { PlainItem } from './components/Story';

/** A page's journal: every change with its date and author; any version can be viewed and restored. */
export function HistoryPage() {
  const { slug = '' } = useParams();
  const { t, i18n } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const client = useQueryClient();
  const page = useQuery({ queryKey: hbKeys.page(slug), queryFn: () => handbookApi.getPage(slug) });
  const history = useQuery({
    queryKey: hbKeys.history(slug),
    queryFn: () => handbookApi.history(slug),
  });
  const [selected, setSelected] = useState<number | null>(null);
  const version = useQuery({
    queryKey: ['handbook', 'version', slug, selected],
    queryFn: () => handbookApi.version(slug, selected ?? 0),
    enabled: selected !== null,
  });
  const restore = useMutation({
    mutationFn: (index: number) => handbookApi.restore(slug, index),
    onSuccess: ({ page: p }) => {
      client.setQueryData(hbKeys.page(p.slug), { page: p });
      void client.invalidateQueries({ queryKey: ['handbook'] });
      void navigate(`/handbook/${encodeURIComponent(p.slug)}`);
    },
  });
  const title = page.data?.page.title ?? slug;
  useDocumentTitle(t('history.title', { title }));
  const entries = [...(history.data?.history ?? [])].reverse();
  const last = (history.data?.total ?? 0) - 1;
  const date = (d: number | null) =>
    d === null
      ? t('history.noDate')
      : new Date(d).toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });

  return (
    <HandbookLayout section={page.data?.page.section}>
      <article className="hb-article">
        <p className="hb-crumbs">
          <Link to={`/handbook/${encodeURIComponent(slug)}`}>
            <HbIcon name="arrowLeft" size={14} /> {title}
          </Link>
        </p>
        <header className="hb-head">
          <h1>{t('history.title', { title })}</h1>
        </header>
        <p className="lead">{t('history.lead')}</p>
        {history.isPending && <Loading label={t('page.loading')} />}
        {history.error !== null && <Alert tone="danger">{errorMessage(history.error)}</Alert>}
        {restore.error !== null && <Alert tone="danger">{errorMessage(restore.error)}</Alert>}
        <div className="hb-history">
          <ol className="hb-journal" aria-label={t('history.journal')}>
            {entries.map((e) => (
              <li key={e.index} className={selected === e.index ? 'current' : undefined}>
                <button
                  type="button"
                  className="hb-journal-entry"
                  aria-pressed={selected === e.index}
                  onClick={() => setSelected(e.index)}
                >
                  <span className={`hb-action hb-action-${e.type}`}>
                    {t(`history.actions.${e.type}`, { defaultValue: e.type })}
                  </span>
                  <span className="hb-journal-meta">
                    {date(e.date)}
                    {e.author !== null && ` · ${e.author}`}
                  </span>
                </button>
              </li>
            ))}
          </ol>
          <section className="hb-version" aria-live="polite" aria-label={t('history.version')}>
            {selected === null ? (
              <p className="muted">{t('history.pick')}</p>
            ) : version.isPending ? (
              <Loading label={t('page.loading')} />
            ) : version.error !== null ? (
              <Alert tone="danger">{errorMessage(version.error)}</Alert>
            ) : (
              <>
                <div className="hb-version-head">
                  <h2>{t('history.versionTitle', { n: selected + 1 })}</h2>
                  {page.data?.page.canEdit === true && selected !== last && (
                    <Button
                      size="sm"
                      busy={restore.isPending}
                      onClick={() => restore.mutate(selected)}
                    >
                      <HbIcon name="restore" size={16} />
                      {t('history.restore')}
                    </Button>
                  )}
                </div>
                <div className="hb-version-body">
                  <p className="hb-version-title">{version.data.title}</p>
                  {version.data.story.length === 0 ? (
                    <p className="muted">{t('page.empty')}</p>
                  ) : (
                    version.data.story.map((item) => <PlainItem key={item.id} item={item} />)
                  )}
                </div>
              </>
            )}
          </section>
        </div>
      </article>
    </HandbookLayout>
  );
}
