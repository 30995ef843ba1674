import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { SpaceSummaryDto } from '@common/api/spaces';
import { Alert, Badge, ButtonLink, EmptyState, Loading, PageHeader } from '@app/components';
import { RequireAccount } from '@app/features/auth/RequireAccount';
import { useErrorMessage } from '@app/lib/errors';
import { useSession } from '@app/lib/session';
import { spacesApi, spacesKeys } from './api';
import { MeetIcon } from './components/MeetIcon';
import './spaces.css';

function CopyLinkButton({ url, name }: { url: string; name: string }) {
  const { t } = useTranslation('spaces');
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      window.prompt(t('list.copyLink', { name }), url);
    }
  };
  return (
    <button
      type="button"
      className="btn btn-ghost btn-sm"
      onClick={() => void copy()}
      aria-label={t('list.copyLink', { name })}
    >
      <MeetIcon name={copied ? 'check' : 'link'} size={16} />
      <span aria-live="polite">{copied ? t('list.copied') : t('list.copy')}</span>
    </button>
  );
}

function SpaceCard({ space }: { space: SpaceSummaryDto }) {
  const { t } = useTranslation('spaces');
  const live = space.live;
  return (
    <li className="space-card">
      <div className="space-card-main">
        <div className="space-card-title">
          <h3>
            <Link to={`/s/${encodeURIComponent(space.slug)}`}>{space.name}</Link>
          </h3>
          {live !== null && (
            <Badge tone="success">{t('list.liveNow', { count: live.participants })}</Badge>
          )}
          {space.myRole === 'co_moderator' && <Badge>{t('list.coModerator')}</Badge>}
        </div>
        <p className="space-card-url">/s/{space.slug}</p>
        {space.description !== '' && <p className="muted space-card-desc">{space.description}</p>}
        {space.myRole === 'co_moderator' && (
          <p className="small muted">{t('list.ownedBy', { name: space.owner.name })}</p>
        )}
      </div>
      <div className="space-card-actions">
        <ButtonLink to={`/s/${encodeURIComponent(space.slug)}`} size="sm" icon="arrowRight">
          {t('list.join')}
        </ButtonLink>
        <CopyLinkButton url={space.url} name={space.name} />
        <Link
          className="btn btn-ghost btn-sm"
          to={`/spaces/${encodeURIComponent(space.slug)}/edit`}
          aria-label={t('list.editSpace', { name: space.name })}
        >
          <MeetIcon name="settings" size={16} />
          <span>{t('list.settings')}</span>
        </Link>
      </div>
    </li>
  );
}

function Lists() {
  const { t } = useTranslation('spaces');
  const errorMessage = useErrorMessage();
  const { isSteward } = useSession();
  const q = useQuery({ queryKey: spacesKeys.lists, queryFn: spacesApi.lists });
  return (
    <>
      <PageHeader
        title={t('list.title')}
        description={t('list.lead')}
        actions={
          <>
            {isSteward && (
              <ButtonLink to="/spaces/defaults" variant="secondary" icon="shield">
                {t('list.defaults')}
              </ButtonLink>
            )}
            <ButtonLink to="/spaces/new" icon="spaces">
              {t('list.create')}
            </ButtonLink>
          </>
        }
      />
      {q.error ? (
        <Alert tone="danger">{errorMessage(q.error)}</Alert>
      ) : q.data === undefined ? (
        <Loading label={t('common:status.loading')} />
      ) : (
        <div className="stack-lg">
          <section aria-labelledby="my-spaces">
            <h2 id="my-spaces" className="section-title">
              {t('list.mine')}
            </h2>
            {q.data.mine.length === 0 ? (
              <EmptyState
                icon="spaces"
                title={t('list.emptyTitle')}
                action={
                  <ButtonLink to="/spaces/new" icon="spaces">
                    {t('list.createFirst')}
                  </ButtonLink>
                }
              >
                <p>{t('list.emptyBody')}</p>
              </EmptyState>
            ) : (
              <ul className="space-list">
                {q.data.mine.map((s) => (
                  <SpaceCard key={s.id} space={s} />
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="shared-spaces">
            <h2 id="shared-spaces" className="section-title">
              {t('list.shared')}
            </h2>
            {q.data.sharedWithMe.length === 0 ? (
              <p className="muted">{t('list.sharedEmpty')}</p>
            ) : (
              <ul className="space-list">
                {q.data.sharedWithMe.map((s) => (
                  <SpaceCard key={s.id} space={s} />
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </>
  );
}

/** My spaces and the spaces shared with me, with links to join, share and edit them. */
export function SpacesPage() {
  return (
    <RequireAccount>
      <Lists />
    </RequireAccount>
  );
}
