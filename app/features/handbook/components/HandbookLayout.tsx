import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, useNavigate } from 'react-router';
import { Icon } from '@app/components';
import { HbIcon } from './HbIcon';
import { handbookApi, hbKeys, type Page } from '../api';

/** The handbook's search box (a landmark of its own, so it can be reached from anywhere). */
export function SearchBox({ initial = '' }: { initial?: string }) {
  const { t } = useTranslation('handbook');
  const navigate = useNavigate();
  const [q, setQ] = useState(initial);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim() !== '') void navigate(`/handbook/-/search?q=${encodeURIComponent(q.trim())}`);
  };
  return (
    <form role="search" className="hb-search" onSubmit={submit} aria-label={t('search.label')}>
      <HbIcon name="search" size={16} />
      <input
        type="search"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        placeholder={t('search.placeholder')}
        aria-label={t('search.label')}
        name="q"
      />
    </form>
  );
}

/** The section's table of contents, or (outside any section) every section. */
function Contents({ section }: { section: Page['section'] | undefined }) {
  const { t } = useTranslation('handbook');
  const tree = useQuery({ queryKey: hbKeys.sections, queryFn: handbookApi.sections });
  if (section) {
    return (
      <nav className="hb-toc" aria-label={t('toc.label', { section: section.title })}>
        <p className="hb-toc-title">
          <Link to={`/handbook/${encodeURIComponent(section.slug)}`}>{section.title}</Link>
        </p>
        <ol>
          {section.contents.map((c) => (
            <li
              key={c.slug}
              style={{ paddingInlineStart: `${Math.max(0, c.depth - 1) * 0.85}rem` }}
            >
              <NavLink to={`/handbook/${encodeURIComponent(c.slug)}`} end>
                {c.title}
              </NavLink>
            </li>
          ))}
        </ol>
      </nav>
    );
  }
  const sections = tree.data?.sections ?? [];
  if (sections.length === 0) return null;
  return (
    <nav className="hb-toc" aria-label={t('toc.sections')}>
      <p className="hb-toc-title">{t('toc.sections')}</p>
      <ol>
        {sections.map((s) => (
          <li key={s.slug}>
            <NavLink to={`/handbook/${encodeURIComponent(s.slug)}`} end>
              {s.title}
            </NavLink>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/**
 * The frame of every handbook page, like a documentation site: a side column with search, the
 * section's contents and the indexes; the reading column beside it.
 */
export function HandbookLayout({
  section,
  search = true,
  children,
}: {
  section?: Page['section'] | undefined;
  /** False where the page shows its own search box (the front page): one box, not two. */
  search?: boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation('handbook');
  return (
    <div className="hb">
      <aside className="hb-side" aria-label={t('side.label')}>
        {search && <SearchBox />}
        <Contents section={section} />
        <nav className="hb-side-links" aria-label={t('side.indexes')}>
          <NavLink to="/handbook" end>
            <Icon name="handbook" size={16} />
            {t('side.allSections')}
          </NavLink>
          <NavLink to="/handbook/-/keywords">
            <HbIcon name="tag" size={16} />
            {t('side.keywords')}
          </NavLink>
        </nav>
      </aside>
      <div className="hb-main">{children}</div>
    </div>
  );
}
