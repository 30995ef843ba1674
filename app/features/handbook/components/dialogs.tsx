import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { Alert, Button, Dialog, SelectField, TextField } from '@app/components';
import { ApiError } from '@app/lib/api';
import { useErrorMessage } from '@app/lib/errors';
import {
  handbookApi,
  hbKeys,
  type ConflictDetails,
  type Item,
  type Page,
  type PageSummary,
  type RenameResult,
} from '../api';

/** The section choices: "No section" and each section by its head page's title. */
function SectionOptions() {
  const { t } = useTranslation('handbook');
  const q = useQuery({ queryKey: hbKeys.sections, queryFn: handbookApi.sections });
  return (
    <>
      <option value="">{t('placeSection.none')}</option>
      {(q.data?.sections ?? []).map((s) => (
        <option key={s.slug} value={s.slug}>
          {s.title}
        </option>
      ))}
    </>
  );
}

/** Offers to create a page (from a link to a missing page, or "New page"), in a section if chosen. */
export function CreatePageDialog({
  open,
  initialTitle,
  onClose,
}: {
  open: boolean;
  initialTitle: string;
  onClose: () => void;
}) {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [title, setTitle] = useState(initialTitle);
  const [section, setSection] = useState('');
  const [shown, setShown] = useState(initialTitle);
  if (shown !== initialTitle) {
    setShown(initialTitle);
    setTitle(initialTitle);
  }
  const sections = useQuery({
    queryKey: hbKeys.sections,
    queryFn: handbookApi.sections,
    enabled: open,
  });
  const create = useMutation({
    mutationFn: async () => {
      const made = await handbookApi.createPage(title.trim());
      if (section === '') return { ...made, sectionError: undefined };
      // The page exists now: if putting it in the section fails, it still opens, saying so.
      return handbookApi.placeInSection(made.page.slug, section).then(
        (placed) => ({ ...placed, sectionError: undefined }),
        (err: unknown) => ({ ...made, sectionError: errorMessage(err) }),
      );
    },
    onSuccess: ({ page, sectionError }) => {
      client.setQueryData(hbKeys.page(page.slug), { page });
      void client.invalidateQueries({ queryKey: ['handbook'] });
      onClose();
      setSection('');
      void navigate(`/handbook/${encodeURIComponent(page.slug)}`, {
        state: { edit: true, sectionError },
      });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (title.trim() !== '') create.mutate();
  };
  const existing =
    create.error instanceof ApiError && create.error.code === 'page_exists'
      ? (create.error.details as { slug?: string } | undefined)?.slug
      : undefined;
  return (
    <Dialog open={open} onClose={onClose} title={t('create.title')}>
      <form className="stack" onSubmit={submit}>
        <p>{t('create.body')}</p>
        <TextField
          label={t('create.pageTitle')}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          autoFocus
        />
        {(sections.data?.sections.length ?? 0) > 0 && (
          <SelectField
            label={t('placeSection.label')}
            hint={t('create.sectionHint')}
            value={section}
            onChange={(e) => setSection(e.target.value)}
          >
            <SectionOptions />
          </SelectField>
        )}
        {create.error !== null && (
          <Alert tone="danger">
            {errorMessage(create.error)}{' '}
            {existing !== undefined && (
              <a href={`/handbook/${encodeURIComponent(existing)}`}>{t('create.openExisting')}</a>
            )}
          </Alert>
        )}
        <div className="row-end">
          <Button variant="ghost" onClick={onClose}>
            {t('editor.cancel')}
          </Button>
          <Button type="submit" busy={create.isPending} icon="check">
            {t('create.submit')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * Renames a page. What follows is the caller's (`onRenamed`): the page view goes to the new
 * address and offers to update links there (UpdateLinksDialog), so nothing is lost when the page
 * under the old address goes away.
 */
export function RenameDialog({
  open,
  page,
  onClose,
  onRenamed,
}: {
  open: boolean;
  page: PageSummary;
  onClose: () => void;
  onRenamed: (r: RenameResult) => void;
}) {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const [title, setTitle] = useState(page.title);
  const rename = useMutation({
    mutationFn: () => handbookApi.rename(page.slug, title.trim()),
    onSuccess: (r) => {
      client.setQueryData(hbKeys.page(r.page.slug), { page: r.page });
      onRenamed(r);
      void client.invalidateQueries({ queryKey: ['handbook'] });
    },
  });
  return (
    <Dialog open={open} onClose={onClose} title={t('rename.title')}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (title.trim() !== '') rename.mutate();
        }}
      >
        <TextField
          label={t('rename.newTitle')}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          hint={t('rename.hint')}
          required
          autoFocus
        />
        {rename.error !== null && <Alert tone="danger">{errorMessage(rename.error)}</Alert>}
        <div className="row-end">
          <Button variant="ghost" onClick={onClose}>
            {t('editor.cancel')}
          </Button>
          <Button type="submit" busy={rename.isPending}>
            {t('rename.submit')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** What a rename leaves to do: the pages that link to the old title. */
export interface RenamedLinks {
  slug: string;
  title: string;
  oldTitle: string;
  linkingPages: PageSummary[];
}

/**
 * After a rename: lists the pages linking to the old title and offers to rewrite their links to
 * the new one, then says which pages were updated.
 */
export function UpdateLinksDialog({
  renamed,
  onClose,
}: {
  renamed: RenamedLinks;
  onClose: () => void;
}) {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const update = useMutation({
    mutationFn: () => handbookApi.updateLinks(renamed.slug, renamed.oldTitle),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['handbook'] }),
  });
  const titleOf = new Map(renamed.linkingPages.map((p) => [p.slug, p.title]));
  const link = (slug: string) => (
    <Link to={`/handbook/${encodeURIComponent(slug)}`} onClick={onClose}>
      {titleOf.get(slug) ?? slug}
    </Link>
  );
  return (
    <Dialog open onClose={onClose} title={t('rename.linksTitle')}>
      <div className="stack">
        {update.isSuccess ? (
          <>
            <Alert tone="success">
              {t('rename.updated', { count: update.data.updated.length, title: renamed.title })}
            </Alert>
            {update.data.updated.length > 0 && (
              <ul className="hb-plain-list" aria-label={t('rename.updatedList')}>
                {update.data.updated.map((slug) => (
                  <li key={slug}>{link(slug)}</li>
                ))}
              </ul>
            )}
          </>
        ) : (
          <>
            <p>
              {t('rename.linking', {
                count: renamed.linkingPages.length,
                old: renamed.oldTitle,
                title: renamed.title,
              })}
            </p>
            <ul className="hb-plain-list" aria-label={t('rename.linkingList')}>
              {renamed.linkingPages.map((p) => (
                <li key={p.slug}>{link(p.slug)}</li>
              ))}
            </ul>
          </>
        )}
        {update.error !== null && <Alert tone="danger">{errorMessage(update.error)}</Alert>}
        <div className="row-end">
          <Button variant="ghost" onClick={onClose}>
            {update.isSuccess ? t('rename.done') : t('rename.leave')}
          </Button>
          {!update.isSuccess && (
            <Button busy={update.isPending} onClick={() => update.mutate()}>
              {t('rename.updateLinks')}
            </Button>
          )}
        </div>
      </div>
    </Dialog>
  );
}

/**
 * The page's "Section" control: puts the page at the end of a section, or takes it out. A section's
 * head page stays where it is (stewards change sections on the order of pages).
 */
export function SectionDialog({ page, onClose }: { page: Page; onClose: () => void }) {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const current = page.section?.slug ?? '';
  const heads = page.section !== null && page.section.slug === page.slug;
  const [section, setSection] = useState(current);
  const place = useMutation({
    mutationFn: () => handbookApi.placeInSection(page.slug, section === '' ? null : section),
    onSuccess: ({ page: p }) => {
      client.setQueryData(hbKeys.page(p.slug), { page: p });
      void client.invalidateQueries({ queryKey: ['handbook'] });
      onClose();
    },
  });
  return (
    <Dialog open onClose={onClose} title={t('placeSection.title', { title: page.title })}>
      {heads ? (
        <div className="stack">
          <p>{t('placeSection.heads', { title: page.title })}</p>
          <div className="row-end">
            <Button onClick={onClose} autoFocus>
              {t('rename.done')}
            </Button>
          </div>
        </div>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (section === current) onClose();
            else place.mutate();
          }}
        >
          <SelectField
            label={t('placeSection.label')}
            hint={t('placeSection.hint')}
            value={section}
            onChange={(e) => setSection(e.target.value)}
            autoFocus
          >
            <SectionOptions />
          </SelectField>
          {place.error !== null && <Alert tone="danger">{errorMessage(place.error)}</Alert>}
          <div className="row-end">
            <Button variant="ghost" onClick={onClose}>
              {t('editor.cancel')}
            </Button>
            <Button type="submit" busy={place.isPending}>
              {t('placeSection.submit')}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/**
 * Asks before deleting a page, then deletes it and goes to the handbook's front page, which says
 * what was deleted.
 */
export function DeletePageDialog({
  open,
  page,
  onClose,
}: {
  open: boolean;
  page: Page;
  onClose: () => void;
}) {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => handbookApi.deletePage(page.slug),
    onSuccess: ({ deleted }) => {
      client.removeQueries({ queryKey: hbKeys.page(page.slug) });
      void client.invalidateQueries({ queryKey: ['handbook'] });
      onClose();
      void navigate('/handbook', { state: { deleted: deleted.title } });
    },
  });
  return (
    <Dialog open={open} onClose={onClose} title={t('deletePage.title')}>
      <div className="stack">
        <p>{t('deletePage.body', { title: page.title })}</p>
        {page.backlinks.length > 0 && (
          <p>{t('deletePage.linked', { count: page.backlinks.length })}</p>
        )}
        {remove.error !== null && <Alert tone="danger">{errorMessage(remove.error)}</Alert>}
        <div className="row-end">
          <Button variant="ghost" onClick={onClose} autoFocus>
            {t('editor.cancel')}
          </Button>
          <Button variant="danger" busy={remove.isPending} onClick={() => remove.mutate()}>
            {t('deletePage.submit')}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

const text = (i: Item | null) => (i === null ? '' : typeof i.text === 'string' ? i.text : '');

/**
 * The second save of an item someone else changed: both versions side by side, nothing lost.
 * The writer may save theirs over the other, keep the other's, or go on editing their own.
 */
export function ConflictDialog({
  conflict,
  onClose,
  onKeepMine,
  onEditMine,
  onKeepTheirs,
  busy,
}: {
  conflict: ConflictDetails | null;
  onClose: () => void;
  onKeepMine: () => void;
  onEditMine: () => void;
  onKeepTheirs: () => void;
  busy: boolean;
}) {
  const { t } = useTranslation('handbook');
  return (
    <Dialog open={conflict !== null} onClose={onClose} title={t('conflict.title')}>
      {conflict !== null && (
        <div className="stack">
          <p>{conflict.theirs === null ? t('conflict.removed') : t('conflict.body')}</p>
          <div className="hb-conflict">
            <section aria-labelledby="hb-conflict-theirs">
              <h3 id="hb-conflict-theirs">{t('conflict.theirs')}</h3>
              {conflict.theirs === null ? (
                <p className="muted">{t('conflict.theirsRemoved')}</p>
              ) : (
                <pre className="hb-conflict-text" data-testid="conflict-theirs">
                  {text(conflict.theirs)}
                </pre>
              )}
            </section>
            <section aria-labelledby="hb-conflict-yours">
              <h3 id="hb-conflict-yours">{t('conflict.yours')}</h3>
              <pre className="hb-conflict-text" data-testid="conflict-yours">
                {text(conflict.yours)}
              </pre>
            </section>
          </div>
          <div className="row-end hb-conflict-actions">
            <Button variant="ghost" onClick={onKeepTheirs}>
              {conflict.theirs === null ? t('conflict.discard') : t('conflict.keepTheirs')}
            </Button>
            <Button variant="secondary" onClick={onEditMine}>
              {t('conflict.editMine')}
            </Button>
            <Button busy={busy} onClick={onKeepMine}>
              {conflict.theirs === null ? t('conflict.addMine') : t('conflict.keepMine')}
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
