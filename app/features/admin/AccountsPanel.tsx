import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountDto } from '@common/api/auth';
import { Alert, Badge, Button, Card, Loading } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { useSession } from '@app/lib/session';
import { adminApi } from './api';

const PAGE = 20;
type Status = AccountDto['status'];
// Listed here rather than imported from common/api/auth, which would bundle zod into the app.
const roles: AccountDto['role'][] = ['member', 'steward'];
const accountStatuses: Status[] = ['active', 'pending', 'disabled'];
const statusTone = { active: 'success', pending: 'warning', disabled: 'danger' } as const;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(h);
  }, [value, ms]);
  return v;
}

/** Accounts: search, filter by status, change role, approve, disable and enable. */
export function AccountsPanel() {
  const { t, i18n } = useTranslation('admin');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const { account: me } = useSession();
  const searchId = useId();
  const statusId = useId();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<Status | ''>('');
  const [offset, setOffset] = useState(0);
  const term = useDebounced(q.trim(), 250);
  useEffect(() => setOffset(0), [term, status]);

  const list = useQuery({
    queryKey: ['admin', 'accounts', term, status, offset],
    queryFn: () =>
      adminApi.listAccounts({
        q: term === '' ? undefined : term,
        status: status === '' ? undefined : status,
        offset,
        limit: PAGE,
      }),
    placeholderData: keepPreviousData,
  });
  const update = useMutation({
    mutationFn: (v: { id: string; role?: AccountDto['role']; status?: Status }) =>
      adminApi.updateAccount(v.id, { role: v.role, status: v.status }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin', 'accounts'] }),
  });

  const total = list.data?.total ?? 0;
  const dateFmt = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium' });

  return (
    <Card title={t('accounts.title')} description={t('accounts.lead')}>
      <div className="toolbar">
        <div className="field toolbar-search">
          <label htmlFor={searchId}>{t('accounts.search')}</label>
          <input
            id={searchId}
            type="search"
            value={q}
            placeholder={t('accounts.searchPlaceholder')}
            onChange={(e) => setQ(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={statusId}>{t('accounts.statusFilter')}</label>
          <select
            id={statusId}
            value={status}
            onChange={(e) => setStatus(e.target.value as Status | '')}
          >
            <option value="">{t('accounts.allStatuses')}</option>
            {accountStatuses.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {update.error && <Alert tone="danger">{errorMessage(update.error)}</Alert>}
      {list.error ? (
        <Alert tone="danger">{errorMessage(list.error)}</Alert>
      ) : list.data === undefined ? (
        <Loading label={t('common:status.loading')} />
      ) : list.data.items.length === 0 ? (
        <p className="muted empty-row">{t('accounts.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{t('accounts.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('accounts.person')}</th>
                <th scope="col">{t('accounts.role')}</th>
                <th scope="col">{t('accounts.status')}</th>
                <th scope="col" className="hide-sm">
                  {t('accounts.joined')}
                </th>
                <th scope="col" className="actions">
                  <span className="visually-hidden">{t('accounts.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((a) => {
                const self = a.id === me?.id;
                return (
                  <tr key={a.id}>
                    <td className="who">
                      <strong>{a.name}</strong>
                      <span>{a.email}</span>
                    </td>
                    <td>
                      <select
                        aria-label={t('accounts.roleOf', { name: a.name })}
                        value={a.role}
                        disabled={self || update.isPending}
                        onChange={(e) =>
                          update.mutate({ id: a.id, role: e.target.value as AccountDto['role'] })
                        }
                      >
                        {roles.map((r) => (
                          <option key={r} value={r}>
                            {t(`auth:roles.${r}`)}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <Badge tone={statusTone[a.status]}>{t(`status.${a.status}`)}</Badge>
                    </td>
                    <td className="hide-sm muted">{dateFmt.format(new Date(a.createdAt))}</td>
                    <td className="actions">
                      {a.status === 'pending' && (
                        <Button
                          size="sm"
                          onClick={() => update.mutate({ id: a.id, status: 'active' })}
                          aria-label={t('accounts.approveName', { name: a.name })}
                        >
                          {t('accounts.approve')}
                        </Button>
                      )}
                      {a.status !== 'disabled' && !self && (
                        <Button
                          size="sm"
                          variant="secondary"
                          onClick={() => update.mutate({ id: a.id, status: 'disabled' })}
                          aria-label={t('accounts.disableName', { name: a.name })}
                        >
                          {t('accounts.disable')}
                        </Button>
                      )}
                      {a.status === 'disabled' && (
                        <Button
                          size="sm"
                          variant="secondary"
                          onClick={() => update.mutate({ id: a.id, status: 'active' })}
                          aria-label={t('accounts.enableName', { name: a.name })}
                        >
                          {t('accounts.enable')}
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {total > PAGE && (
        <nav className="pager" aria-label={t('accounts.pages')}>
          <span>
            {t('accounts.range', {
              from: offset + 1,
              to: Math.min(offset + PAGE, total),
              total,
            })}
          </span>
          <span className="row">
            <Button
              size="sm"
              variant="secondary"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE))}
            >
              {t('common:actions.previous')}
            </Button>
            <Button
              size="sm"
              variant="secondary"
              disabled={offset + PAGE >= total}
              onClick={() => setOffset(offset + PAGE)}
            >
              {t('common:actions.next')}
            </Button>
          </span>
        </nav>
      )}
    </Card>
  );
}
