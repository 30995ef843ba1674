import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, Loading, useDocumentTitle } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { handbookApi, hbKeys } from './api';
import { HandbookLayout } from './components/HandbookLayout';
import { HbIcon } from './components/HbIcon';
import { PlainItem } from './components/Story';
import { diffVersions, type VersionDiff, type WordRun } from './history-diff';

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
  // The version before the chosen one, to show what the change did.
  const previous = useQuery({
    queryKey: ['handbook', 'version', slug, (selected ?? 0) - 1],
    queryFn: () => handbookApi.version(slug, (selected ?? 1) - 1),
    enabled: selected !== null && selected > 0,
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
  // The newest change is shown at once (its diff says what it did).
  const newest = entries[0]?.index;
  useEffect(() => {
    if (selected === null && newest !== undefined) setSelected(newest);
  }, [selected, newest]);
  const diff =
    selected !== null &&
    version.data !== undefined &&
    (selected === 0 || previous.data !== undefined)
      ? diffVersions(selected === 0 ? null : (previous.data ?? null), version.data)
      : undefined;
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
                {previous.error !== null ? (
                  <Alert tone="danger">{errorMessage(previous.error)}</Alert>
                ) : diff === undefined ? (
                  <Loading label={t('history.diffLoading')} />
                ) : (
                  <Changes diff={diff} previous={selected === 0 ? null : selected} />
                )}
                <h3 className="hb-version-sub">{t('history.wholePage')}</h3>
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

/** Words as the diff runs them: insertions underlined, deletions struck, each named for screen readers. */
function Runs({ runs }: { runs: WordRun[] }) {
  const { t } = useTranslation('handbook');
  return (
    <>
      {runs.map((r, i) =>
        r.kind === 'same' ? (
          <span key={i}>{r.text}</span>
        ) : r.kind === 'inserted' ? (
          <ins key={i} className="hb-ins">
            <span className="visually-hidden">[{t('history.inserted')}: </span>
            {r.text}
            <span className="visually-hidden">]</span>
          </ins>
        ) : (
          <del key={i} className="hb-del">
            <span className="visually-hidden">[{t('history.deleted')}: </span>
            {r.text}
            <span className="visually-hidden">]</span>
          </del>
        ),
      )}
    </>
  );
}

/** What the chosen change did, compared with the version before it (`previous`: its number). */
function Changes({ diff, previous }: { diff: VersionDiff; previous: number | null }) {
  const { t } = useTranslation('handbook');
  const label = {
    added: t('history.itemAdded'),
    removed: t('history.itemRemoved'),
    changed: t('history.itemChanged'),
  };
  const nothing = diff.title === null && diff.items.length === 0 && !diff.moved;
  return (
    <section className="hb-diff" aria-labelledby="hb-diff-title">
      <h3 id="hb-diff-title">{t('history.changes')}</h3>
      <p className="muted hb-diff-note">
        {previous === null ? t('history.firstVersion') : t('history.comparedWith', { n: previous })}{' '}
        {!nothing && t('history.legend')}
      </p>
      {nothing && <p>{t('history.noChanges')}</p>}
      <ul className="hb-diff-list">
        {diff.title !== null && (
          <li className="hb-diff-item">
            <span className="hb-diff-kind">{t('history.titleChanged')}</span>
            <p className="hb-diff-text">
              <Runs runs={diff.title} />
            </p>
          </li>
        )}
        {diff.items.map((c) => (
          <li key={`${c.kind}-${c.id}`} className={`hb-diff-item hb-diff-${c.kind}`}>
            <span className="hb-diff-kind">
              {label[c.kind]} · {t(`types.${c.type}`, { defaultValue: c.type })}
            </span>
            <p className="hb-diff-text">
              <Runs runs={c.runs} />
            </p>
          </li>
        ))}
        {diff.moved && (
          <li className="hb-diff-item">
            <span className="hb-diff-kind">{t('history.actions.move')}</span>
            <p className="hb-diff-text">{t('history.itemsMoved')}</p>
          </li>
        )}
      </ul>
    </section>
  );
}
