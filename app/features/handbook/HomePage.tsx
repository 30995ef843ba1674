import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { Alert, Button, ButtonLink, EmptyState, Loading, useDocumentTitle } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { handbookApi, hbKeys } from './api';
import { CreatePageDialog } from './components/dialogs';
import { HandbookLayout, SearchBox } from './components/HandbookLayout';
import { HbIcon } from './components/HbIcon';

/**
 * The slugs of the starter handbook's front page in each language (and Federated Wiki's), shown
 * first on the handbook's home instead of among "Other pages".
 */
const HOME_SLUGS = ['home', 'inicio', 'inici', 'accueil', 'startseite', 'welcome-visitors'];

/**
 * The handbook's front page: its Home page first, one search box, the sections that have pages
 * as cards (those without pages yet on one compact line), and the pages outside sections.
 */
export function HomePage() {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  useDocumentTitle(t('title'));
  const [creating, setCreating] = useState(false);
  const sections = useQuery({ queryKey: hbKeys.sections, queryFn: handbookApi.sections });
  const pages = useQuery({ queryKey: hbKeys.pages, queryFn: handbookApi.listPages });
  const rights = useQuery({ queryKey: hbKeys.settings, queryFn: handbookApi.settings });
  // Set by the delete dialog, which comes here once the page is gone.
  const deleted = (useLocation().state as { deleted?: string } | null)?.deleted;
  const inSections = new Set(
    (sections.data?.sections ?? []).flatMap((s) => [s.slug, ...s.pages.map((p) => p.slug)]),
  );
  const outside = (pages.data?.pages ?? []).filter((p) => !inSections.has(p.slug));
  const home = HOME_SLUGS.map((h) => outside.find((p) => p.slug === h)).find(
    (p) => p !== undefined,
  );
  const others = outside.filter((p) => p !== home);
  const allSections = sections.data?.sections ?? [];
  const filled = allSections.filter((s) => s.pages.length > 0);
  const bare = allSections.filter((s) => s.pages.length === 0);
  const error = sections.error ?? pages.error;

  return (
    <HandbookLayout search={false}>
      <div className="hb-home">
        <header className="hb-head hb-home-head">
          <div>
            <h1>{t('title')}</h1>
            <p className="lead">{t('lead')}</p>
          </div>
          <div className="hb-actions">
            {rights.data?.canAdminister === true && (
              <>
                <ButtonLink variant="ghost" size="sm" to="/handbook/-/transfer">
                  {t('home.transfer')}
                </ButtonLink>
                <ButtonLink variant="ghost" size="sm" to="/handbook/-/sections">
                  {t('home.reorder')}
                </ButtonLink>
                <ButtonLink variant="ghost" size="sm" to="/handbook/-/settings">
                  {t('home.settings')}
                </ButtonLink>
              </>
            )}
            {rights.data?.canEdit === true && (
              <Button size="sm" onClick={() => setCreating(true)}>
                <HbIcon name="plus" size={16} />
                {t('home.newPage')}
              </Button>
            )}
          </div>
        </header>
        {deleted !== undefined && (
          <Alert tone="success">{t('deletePage.done', { title: deleted })}</Alert>
        )}
        <div className="hb-home-search">
          <SearchBox />
        </div>
        {(sections.isPending || pages.isPending) && <Loading label={t('page.loading')} />}
        {error !== null && <Alert tone="danger">{errorMessage(error)}</Alert>}
        {sections.isSuccess && pages.isSuccess && pages.data.pages.length === 0 && (
          <EmptyState icon="handbook" title={t('home.empty')}>
            <p>{t('home.emptyHint')}</p>
          </EmptyState>
        )}
        {home !== undefined && (
          <Link className="hb-home-start" to={`/handbook/${encodeURIComponent(home.slug)}`}>
            <span className="hb-home-start-label">{t('home.start')}</span>
            <span className="hb-home-start-title">{home.title}</span>
            <HbIcon name="arrowRight" size={18} />
          </Link>
        )}
        <div className="hb-sections">
          {filled.map((s) => (
            <section key={s.slug} className="hb-section-card" aria-labelledby={`sec-${s.slug}`}>
              <h2 id={`sec-${s.slug}`}>
                <Link to={`/handbook/${encodeURIComponent(s.slug)}`}>{s.title}</Link>
              </h2>
              <ol>
                {s.pages.map((p) => (
                  <li key={p.slug} style={{ paddingInlineStart: `${Math.max(0, p.depth - 1)}rem` }}>
                    <Link to={`/handbook/${encodeURIComponent(p.slug)}`}>{p.title}</Link>
                  </li>
                ))}
              </ol>
            </section>
          ))}
        </div>
        {bare.length > 0 && (
          <section className="hb-bare-sections" aria-labelledby="hb-bare">
            <h2 id="hb-bare">{t('home.moreSections')}</h2>
            <ul>
              {bare.map((s) => (
                <li key={s.slug}>
                  <Link to={`/handbook/${encodeURIComponent(s.slug)}`}>{s.title}</Link>
                </li>
              ))}
            </ul>
          </section>
        )}
        {others.length > 0 && (
          <section className="hb-others" aria-labelledby="hb-others">
            <h2 id="hb-others">{t('home.otherPages')}</h2>
            <ul className="hb-columns">
              {others.map((p) => (
                <li key={p.slug}>
                  <Link to={`/handbook/${encodeURIComponent(p.slug)}`}>{p.title}</Link>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
      <CreatePageDialog open={creating} initialTitle="" onClose={() => setCreating(false)} />
    </HandbookLayout>
  );
}
