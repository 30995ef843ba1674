import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  lobbyModes,
  policySettingKeys,
  settingPolicies,
  type LobbyMode,
  type SettingPolicy,
  type SpaceDefaultsDto,
} from '@common/api/spaces';
import { Alert, Button, Card, EmptyState, Loading, PageHeader } from '@app/components';
import { RequireAccount } from '@app/features/auth/RequireAccount';
import { useErrorMessage } from '@app/lib/errors';
import { useSession } from '@app/lib/session';
import { spacesApi, spacesKeys } from './api';
import './spaces.css';

function DefaultsForm({ initial }: { initial: SpaceDefaultsDto }) {
  const { t } = useTranslation('spaces');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const [d, setD] = useState<SpaceDefaultsDto>(initial);
  const save = useMutation({
    mutationFn: () => spacesApi.setDefaults(d),
    onSuccess: (saved) => client.setQueryData(spacesKeys.defaults, saved),
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={onSubmit} className="stack-lg">
      <Card>
        <table className="defaults-table">
          <caption className="visually-hidden">{t('defaults.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('defaults.setting')}</th>
              <th scope="col">{t('defaults.value')}</th>
              <th scope="col">{t('defaults.policy')}</th>
            </tr>
          </thead>
          <tbody>
            {policySettingKeys.map((k) => {
              const label = t(`settings.${k}.label`);
              return (
                <tr key={k}>
                  <th scope="row">
                    {label}
                    <span className="muted small">{t(`settings.${k}.hint`)}</span>
                  </th>
                  <td data-label={t('defaults.value')}>
                    {k === 'lobby' ? (
                      <select
                        aria-label={t('defaults.valueOf', { setting: label })}
                        value={d.lobby.value}
                        onChange={(e) =>
                          setD({ ...d, lobby: { ...d.lobby, value: e.target.value as LobbyMode } })
                        }
                      >
                        {lobbyModes.map((m) => (
                          <option key={m} value={m}>
                            {t(`settings.lobby.${m}`)}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        type="checkbox"
                        aria-label={t('defaults.valueOf', { setting: label })}
                        checked={d[k].value}
                        onChange={(e) => setD({ ...d, [k]: { ...d[k], value: e.target.checked } })}
                      />
                    )}
                  </td>
                  <td data-label={t('defaults.policy')}>
                    <select
                      aria-label={t('defaults.policyOf', { setting: label })}
                      value={d[k].policy}
                      onChange={(e) =>
                        setD({ ...d, [k]: { ...d[k], policy: e.target.value as SettingPolicy } })
                      }
                    >
                      {settingPolicies.map((p) => (
                        <option key={p} value={p}>
                          {t(`defaults.policies.${p}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              );
            })}
            <tr>
              <th scope="row">
                {t('settings.maxParticipants.label')}
                <span className="muted small">{t('settings.maxParticipants.hint')}</span>
              </th>
              <td colSpan={2} data-label={t('defaults.value')}>
                <input
                  type="number"
                  min={2}
                  max={500}
                  aria-label={t('settings.maxParticipants.label')}
                  value={d.maxParticipants ?? ''}
                  onChange={(e) =>
                    setD({
                      ...d,
                      maxParticipants: e.target.value === '' ? null : Number(e.target.value),
                    })
                  }
                />
              </td>
            </tr>
          </tbody>
        </table>
      </Card>
      {save.error && <Alert tone="danger">{errorMessage(save.error)}</Alert>}
      {save.isSuccess && <Alert tone="success">{t('defaults.saved')}</Alert>}
      <div className="row-end">
        <Button type="submit" busy={save.isPending}>
          {t('defaults.save')}
        </Button>
      </div>
    </form>
  );
}

function Defaults() {
  const { t } = useTranslation('spaces');
  const { isSteward } = useSession();
  const errorMessage = useErrorMessage();
  const q = useQuery({
    queryKey: spacesKeys.defaults,
    queryFn: spacesApi.getDefaults,
    enabled: isSteward,
  });
  if (!isSteward) {
    return (
      <EmptyState icon="shield" title={t('defaults.forbidden')}>
        <p>{t('defaults.forbiddenBody')}</p>
      </EmptyState>
    );
  }
  return (
    <div className="form-page wide">
      <PageHeader title={t('defaults.title')} description={t('defaults.lead')} />
      {q.error ? (
        <Alert tone="danger">{errorMessage(q.error)}</Alert>
      ) : q.data === undefined ? (
        <Loading label={t('common:status.loading')} />
      ) : (
        <DefaultsForm initial={q.data} />
      )}
    </div>
  );
}

/** Stewards: the site-wide defaults of new spaces and, per setting, whether owners may change it. */
export function SpaceDefaultsPage() {
  return (
    <RequireAccount>
      <Defaults />
    </RequireAccount>
  );
}
