import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Alert, Button, Dialog, TextField } from '@app/components';
import { ApiError } from '@app/lib/api';
import { useErrorMessage } from '@app/lib/errors';
import { handbookApi, hbKeys, type ConflictDetails, type Item, type Page } from '../api';

/** Offers to create a page (from a link to a missing page, or "New page"). */
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
  const [shown, setShown] = useState(initialTitle);
  if (shown !== initialTitle) {
    setShown(initialTitle);
    setTitle(initialTitle);
  }
  const create = useMutation({
    mutationFn: () => handbookApi.createPage(title.trim()),
    onSuccess: ({ page }) => {
      client.setQueryData(hbKeys.page(page.slug), { page });
      void client.invalidateQueries({ queryKey: ['handbook'] });
      onClose();
      void navigate(`/handbook/${encodeURIComponent(page.slug)}`, { state: { edit: true } });
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

/** Renames a page, then offers to update the links that used its old title. */
export function RenameDialog({
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
  const [title, setTitle] = useState(page.title);
  const rename = useMutation({
    mutationFn: () => handbookApi.rename(page.slug, title.trim()),
    onSuccess: (r) => {
      client.setQueryData(hbKeys.page(r.page.slug), { page: r.page });
      void client.invalidateQueries({ queryKey: ['handbook'] });
      if (r.linkingPages.length === 0) {
        onClose();
        void navigate(`/handbook/${encodeURIComponent(r.page.slug)}`, { replace: true });
      }
    },
  });
  const update = useMutation({
    mutationFn: (r: { slug: string; from: string }) => handbookApi.updateLinks(r.slug, r.from),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['handbook'] }),
  });
  const done = rename.data;
  const finish = () => {
    onClose();
    if (done !== undefined)
      void navigate(`/handbook/${encodeURIComponent(done.page.slug)}`, { replace: true });
  };
  return (
    <Dialog open={open} onClose={done === undefined ? onClose : finish} title={t('rename.title')}>
      {done === undefined ? (
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
      ) : (
        <div className="stack">
          <p>{t('rename.linking', { count: done.linkingPages.length, old: done.oldTitle })}</p>
          <ul className="hb-plain-list">
            {done.linkingPages.map((p) => (
              <li key={p.slug}>{p.title}</li>
            ))}
          </ul>
          {update.isSuccess && (
            <Alert tone="success">
              {t('rename.updated', { count: update.data.updated.length })}
            </Alert>
          )}
          {update.error !== null && <Alert tone="danger">{errorMessage(update.error)}</Alert>}
          <div className="row-end">
            <Button variant="ghost" onClick={finish}>
              {update.isSuccess ? t('rename.done') : t('rename.leave')}
            </Button>
            {!update.isSuccess && (
              <Button
                busy={update.isPending}
                onClick={() => update.mutate({ slug: done.page.slug, from: done.oldTitle })}
              >
                {t('rename.updateLinks')}
              </Button>
            )}
          </div>
        </div>
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
