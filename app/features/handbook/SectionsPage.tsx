import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Button, EmptyState, Loading, useDocumentTitle } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { useSession } from '@app/lib/session';
import { handbookApi, hbKeys, type SectionTree } from './api';
import { HandbookLayout } from './components/HandbookLayout';
import { HbIcon } from './components/HbIcon';

type Sections = SectionTree['sections'];

/** Stewards set the reading order of each section's pages (buttons, or ↑/↓ on a page's handle). */
export function SectionsPage() {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const { isSteward } = useSession();
  const client = useQueryClient();
  useDocumentTitle(t('sections.title'));
  const q = useQuery({ queryKey: hbKeys.sections, queryFn: handbookApi.sections });
  const [draft, setDraft] = useState<Sections | null>(null);
  const [announce, setAnnounce] = useState('');
  const sections = draft ?? q.data?.sections ?? [];
  const save = useMutation({
    mutationFn: () =>
      handbookApi.setSections(
        sections.map((s) => ({ slug: s.slug, pages: s.pages.map((p) => ({ slug: p.slug })) })),
      ),
    onSuccess: (tree) => {
      client.setQueryData(hbKeys.sections, tree);
      void client.invalidateQueries({ queryKey: ['handbook'] });
      setDraft(null);
      setAnnounce(t('sections.saved'));
    },
  });
  const move = (si: number, pi: number, d: number) => {
    const next = sections.map((s) => ({ ...s, pages: s.pages.slice() }));
    const pages = next[si]?.pages;
    if (pages === undefined) return;
    const to = pi + d;
    if (to < 0 || to >= pages.length) return;
    const [p] = pages.splice(pi, 1);
    if (p === undefined) return;
    pages.splice(to, 0, p);
    setDraft(next);
    setAnnounce(t('edit.movedTo', { position: to + 1, count: pages.length }));
    requestAnimationFrame(() => document.getElementById(`grip-${si}-${p.slug}`)?.focus());
  };
  const key = (e: KeyboardEvent, si: number, pi: number) => {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      move(si, pi, e.key === 'ArrowUp' ? -1 : 1);
    }
  };

  if (!isSteward) {
    return (
      <HandbookLayout>
        <EmptyState icon="shield" title={t('sections.forbidden')} />
      </HandbookLayout>
    );
  }
  return (
    <HandbookLayout>
      <article className="hb-article">
        <header className="hb-head">
          <h1>{t('sections.title')}</h1>
          <div className="hb-actions">
            <Button
              variant="ghost"
              size="sm"
              disabled={draft === null}
              onClick={() => setDraft(null)}
            >
              {t('editor.cancel')}
            </Button>
            <Button
              size="sm"
              disabled={draft === null}
              busy={save.isPending}
              onClick={() => save.mutate()}
            >
              {t('sections.save')}
            </Button>
          </div>
        </header>
        <p className="lead">{t('sections.lead')}</p>
        <p className="visually-hidden" role="status" aria-live="polite">
          {announce}
        </p>
        {q.isPending && <Loading label={t('page.loading')} />}
        {(q.error ?? save.error) !== null && (
          <Alert tone="danger">{errorMessage(q.error ?? save.error)}</Alert>
        )}
        {sections.map((s, si) => (
          <section key={s.slug} className="hb-order" aria-labelledby={`order-${s.slug}`}>
            <h2 id={`order-${s.slug}`}>{s.title}</h2>
            <ol>
              {s.pages.map((p, pi) => (
                <li key={p.slug} className="hb-order-row">
                  <button
                    type="button"
                    id={`grip-${si}-${p.slug}`}
                    className="hb-grip"
                    aria-label={t('edit.moveHandle', { item: p.title })}
                    aria-describedby="hb-order-help"
                    onKeyDown={(e) => key(e, si, pi)}
                  >
                    <HbIcon name="grip" size={16} />
                  </button>
                  <span className="hb-order-title">{p.title}</span>
                  <button
                    type="button"
                    className="icon-btn hb-tool"
                    aria-label={t('sections.moveUp', { page: p.title })}
                    disabled={pi === 0}
                    onClick={() => move(si, pi, -1)}
                  >
                    <HbIcon name="up" size={16} />
                  </button>
                  <button
                    type="button"
                    className="icon-btn hb-tool"
                    aria-label={t('sections.moveDown', { page: p.title })}
                    disabled={pi === s.pages.length - 1}
                    onClick={() => move(si, pi, 1)}
                  >
                    <HbIcon name="down" size={16} />
                  </button>
                </li>
              ))}
            </ol>
          </section>
        ))}
        <p id="hb-order-help" className="visually-hidden">
          {t('edit.moveHelp')}
        </p>
      </article>
    </HandbookLayout>
  );
}
