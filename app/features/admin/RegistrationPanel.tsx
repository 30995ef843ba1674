import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Button, Card, Loading } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { adminApi, type RegistrationMode } from './api';

const modes: RegistrationMode[] = ['open', 'invitation', 'approval'];

/** Who may sign up: anyone, only people with an invitation, or anyone once a steward approves. */
export function RegistrationPanel() {
  const { t } = useTranslation('admin');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const current = useQuery({
    queryKey: ['admin', 'registration'],
    queryFn: adminApi.getRegistration,
  });
  const [mode, setMode] = useState<RegistrationMode | undefined>();
  useEffect(() => {
    if (current.data !== undefined) setMode(current.data.mode);
  }, [current.data]);
  const save = useMutation({
    mutationFn: (m: RegistrationMode) => adminApi.setRegistration(m),
    onSuccess: () => client.invalidateQueries(),
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (mode !== undefined) save.mutate(mode);
  };
  return (
    <Card title={t('registration.title')} description={t('registration.lead')}>
      {current.error ? (
        <Alert tone="danger">{errorMessage(current.error)}</Alert>
      ) : mode === undefined ? (
        <Loading label={t('common:status.loading')} />
      ) : (
        <form className="stack" onSubmit={onSubmit}>
          {save.isSuccess && <Alert tone="success">{t('registration.saved')}</Alert>}
          {save.error && <Alert tone="danger">{errorMessage(save.error)}</Alert>}
          <fieldset className="choice">
            <legend>{t('registration.legend')}</legend>
            {modes.map((m) => (
              <label key={m} className="choice-option">
                <input
                  type="radio"
                  name="registration-mode"
                  value={m}
                  checked={mode === m}
                  onChange={() => {
                    setMode(m);
                    save.reset();
                  }}
                />
                <span>
                  <strong>{t(`registration.${m}.label`)}</strong>
                  <span>{t(`registration.${m}.description`)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div>
            <Button type="submit" busy={save.isPending} disabled={mode === current.data?.mode}>
              {t('registration.submit')}
            </Button>
          </div>
        </form>
      )}
    </Card>
  );
}
