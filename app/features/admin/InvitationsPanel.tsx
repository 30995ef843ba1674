import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { InvitationDto } from '@common/api/auth';
import {
  Alert,
  Badge,
  Button,
  Card,
  CopyField,
  Loading,
  SelectField,
  TextField,
} from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { adminApi } from './api';

const durations = [1, 7, 14, 30, 90];

function invitationState(inv: InvitationDto, now: number): 'used' | 'expired' | 'open' {
  if (inv.usedAt !== null) return 'used';
  return Date.parse(inv.expiresAt) <= now ? 'expired' : 'open';
}

/** Create invitation links (optionally for one address), see them, copy them, revoke them. */
export function InvitationsPanel() {
  const { t, i18n } = useTranslation('admin');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const [email, setEmail] = useState('');
  const [days, setDays] = useState(14);
  const [created, setCreated] = useState<InvitationDto | undefined>();
  const list = useQuery({ queryKey: ['admin', 'invitations'], queryFn: adminApi.listInvitations });
  const create = useMutation({
    mutationFn: () =>
      adminApi.createInvitation({
        expiresInDays: days,
        ...(email.trim() === '' ? {} : { email: email.trim() }),
      }),
    onSuccess: async (inv) => {
      setCreated(inv);
      setEmail('');
      await client.invalidateQueries({ queryKey: ['admin', 'invitations'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => adminApi.revokeInvitation(id),
    onSuccess: async (_v, id) => {
      if (created?.id === id) setCreated(undefined);
      await client.invalidateQueries({ queryKey: ['admin', 'invitations'] });
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const dateFmt = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium' });
  const now = Date.now();
  const items = list.data?.items;

  return (
    <div className="grid-2">
      <Card title={t('invitations.createTitle')} description={t('invitations.createLead')}>
        <form className="stack" onSubmit={onSubmit} noValidate>
          {create.error && <Alert tone="danger">{errorMessage(create.error)}</Alert>}
          <TextField
            label={t('invitations.email')}
            hint={t('invitations.emailHint')}
            type="email"
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <SelectField
            label={t('invitations.expiresIn')}
            value={days}
            onChange={(e) => setDays(Number(e.target.value))}
          >
            {durations.map((d) => (
              <option key={d} value={d}>
                {t('invitations.days', { count: d })}
              </option>
            ))}
          </SelectField>
          <div>
            <Button type="submit" icon="link" busy={create.isPending}>
              {t('invitations.create')}
            </Button>
          </div>
          {created && (
            <Alert tone="success" title={t('invitations.created')}>
              <CopyField label={t('invitations.link')} value={created.url} />
            </Alert>
          )}
        </form>
      </Card>
      <Card title={t('invitations.listTitle')}>
        {revoke.error && <Alert tone="danger">{errorMessage(revoke.error)}</Alert>}
        {list.error ? (
          <Alert tone="danger">{errorMessage(list.error)}</Alert>
        ) : items === undefined ? (
          <Loading label={t('common:status.loading')} />
        ) : items.length === 0 ? (
          <p className="muted">{t('invitations.none')}</p>
        ) : (
          <ul className="list-plain">
            {items.map((inv) => {
              const state = invitationState(inv, now);
              return (
                <li key={inv.id} className="invite-item">
                  <div className="row row-between">
                    <span>
                      <strong>{inv.email ?? t('invitations.anyone')}</strong>{' '}
                      <Badge
                        tone={
                          state === 'open' ? 'success' : state === 'used' ? 'neutral' : 'warning'
                        }
                      >
                        {t(`invitations.state.${state}`)}
                      </Badge>
                    </span>
                    {state === 'open' && (
                      <Button
                        size="sm"
                        variant="ghost"
                        busy={revoke.isPending && revoke.variables === inv.id}
                        onClick={() => revoke.mutate(inv.id)}
                        aria-label={t('invitations.revokeFor', {
                          who: inv.email ?? t('invitations.anyone'),
                        })}
                      >
                        {t('invitations.revoke')}
                      </Button>
                    )}
                  </div>
                  <span className="muted small">
                    {t('invitations.expires', { date: dateFmt.format(new Date(inv.expiresAt)) })}
                  </span>
                  {state === 'open' && <CopyField label={t('invitations.link')} value={inv.url} />}
                </li>
              );
            })}
          </ul>
        )}
      </Card>
    </div>
  );
}
