import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Alert, EmptyState, Loading, useDocumentTitle } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { handbookApi, hbKeys } from './api';
import { HandbookLayout } from './components/HandbookLayout';

/** The Keywords index: every #keyword used in the handbook, with the pages that use it. */
export function KeywordsPage() {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  useDocumentTitle(t('keywords.title'));
  const q = useQuery({ queryKey: hbKeys.keywords, queryFn: handbookApi.keywords });
  const keywords = q.data?.keywords ?? [];
  return (
    <HandbookLayout>
      <article className="hb-article">
        <header className="hb-head">
          <h1>{t('keywords.title')}</h1>
        </header>
        <p className="lead">{t('keywords.lead')}</p>
        {q.isPending && <Loading label={t('page.loading')} />}
        {q.error !== null && <Alert tone="danger">{errorMessage(q.error)}</Alert>}
        {q.isSuccess && keywords.length === 0 && (
          <EmptyState icon="info" title={t('keywords.empty')}>
            <p>{t('keywords.emptyHint')}</p>
          </EmptyState>
        )}
        {keywords.length > 0 && (
          <nav className="hb-letters" aria-label={t('keywords.jump')}>
            {keywords.map((k) => (
              <a key={k.keyword} href={`#kw-${encodeURIComponent(k.keyword)}`}>
                {k.keyword}
              </a>
            ))}
          </nav>
        )}
        <dl className="hb-keywords">
          {keywords.map((k) => (
            <div key={k.keyword} id={`kw-${encodeURIComponent(k.keyword)}`} className="hb-keyword">
              <dt>{k.keyword}</dt>
              <dd>
                <ul>
                  {k.pages.map((p) => (
                    <li key={p.slug}>
                      <Link to={`/handbook/${encodeURIComponent(p.slug)}`}>{p.title}</Link>
                    </li>
                  ))}
                </ul>
              </dd>
            </div>
          ))}
        </dl>
      </article>
    </HandbookLayout>
  );
}
