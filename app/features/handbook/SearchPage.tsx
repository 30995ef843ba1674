import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Alert, Loading, useDocumentTitle } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { handbookApi, hbKeys } from './api';
import { HandbookLayout, SearchBox } from './components/HandbookLayout';

/** Full-text search; the server escapes snippets and wraps each match in <mark>. */
export function SearchPage() {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const [params] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  useDocumentTitle(q === '' ? t('search.title') : t('search.titleFor', { q }));
  const results = useQuery({
    queryKey: hbKeys.search(q),
    queryFn: () => handbookApi.search(q),
    enabled: q !== '',
  });
  const list = results.data?.results ?? [];
  return (
    <HandbookLayout>
      <article className="hb-article">
        <header className="hb-head">
          <h1>{t('search.title')}</h1>
        </header>
        <div className="hb-search-page">
          <SearchBox key={q} initial={q} />
        </div>
        {q !== '' && results.isPending && <Loading label={t('search.searching')} />}
        {results.error !== null && <Alert tone="danger">{errorMessage(results.error)}</Alert>}
        {results.isSuccess && (
          <p className="muted" role="status">
            {t('search.count', { count: list.length, q })}
          </p>
        )}
        <ol className="hb-results">
          {list.map((r) => (
            <li key={r.slug}>
              <Link to={`/handbook/${encodeURIComponent(r.slug)}`} className="hb-result-title">
                {r.title}
              </Link>
              <p className="hb-snippet" dangerouslySetInnerHTML={{ __html: r.snippet }} />
            </li>
          ))}
        </ol>
      </article>
    </HandbookLayout>
  );
}
