import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { PASSWORD_MIN_LENGTH } from '@common/limits';
import { Alert, Button, Card, Loading, Narrow, PageHeader, TextField } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { currentLocale } from '@app/lib/i18n';
import { useSession } from '@app/lib/session';
import { authApi } from './api';
import { PasswordField } from './PasswordField';
import { checkFields, isClean, serverFieldErrors, type FieldErrors } from './validation';

/**
 * Sign up. Honours the registration mode: open; invitation only (needs ?invite=<token>); or
 * approval required (the account waits for a steward, and the page says so).
 */
export function SignUpPage() {
  const { t } = useTranslation('auth');
  const { session, account, refresh } = useSession();
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  // The server's invitation links use ?invitation=; ?invite= is accepted too.
  const invite = search.get('invitation') ?? search.get('invite') ?? undefined;
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState(false);

  const invitation = useQuery({
    queryKey: ['invitation', invite],
    queryFn: () => authApi.checkInvitation(invite ?? ''),
    enabled: invite !== undefined,
  });
  const invitedEmail = invitation.data?.email ?? null;

  if (account !== null && !busy) return <Navigate to="/" replace />;
  const mode = session?.registrationMode ?? 'open';

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    const address = invitedEmail ?? email;
    const found = checkFields(t, { name, email: address, password });
    setErrors(found);
    if (!isClean(found)) return;
    setBusy(true);
    try {
      const created = await authApi.signUp({
        name,
        email: address,
        password,
        locale: currentLocale(),
        ...(invite !== undefined ? { invitationToken: invite } : {}),
      });
      if (created.session === null) {
        // Approval required: no session until a steward approves.
        setPending(true);
        setBusy(false);
        return;
      }
      await refresh();
      // The home page greets a new member with a welcome, not a "welcome back".
      void navigate('/', { replace: true, state: { welcome: 'new' } });
    } catch (err) {
      setErrors(serverFieldErrors(t, err));
      setFailure(errorMessage(err));
      setBusy(false);
    }
  };

  let body;
  if (pending) {
    body = (
      <Alert tone="success" title={t('signup.pendingTitle')}>
        {t('signup.pending')}
      </Alert>
    );
  } else if (invite !== undefined && invitation.isLoading) {
    body = <Loading label={t('signup.checkingInvitation')} />;
  } else if (invite !== undefined && invitation.data?.valid !== true) {
    body = <Alert tone="warning">{t('signup.invitationInvalid')}</Alert>;
  } else if (mode === 'invitation' && invite === undefined) {
    body = <Alert tone="info">{t('signup.invitationOnly')}</Alert>;
  } else {
    body = (
      <form className="stack" onSubmit={(e) => void onSubmit(e)} noValidate>
        {mode === 'approval' && <Alert tone="info">{t('signup.approvalNotice')}</Alert>}
        {failure && <Alert tone="danger">{failure}</Alert>}
        <TextField
          label={t('fields.name')}
          autoComplete="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
          required
        />
        <TextField
          label={t('fields.email')}
          type="email"
          autoComplete="email"
          value={invitedEmail ?? email}
          readOnly={invitedEmail !== null}
          hint={invitedEmail !== null ? t('signup.invitedEmail') : undefined}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
          required
        />
        <PasswordField
          label={t('fields.password')}
          hint={t('fields.passwordHint', { min: PASSWORD_MIN_LENGTH })}
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          required
        />
        <Button type="submit" block busy={busy}>
          {t('signup.submit')}
        </Button>
      </form>
    );
  }

  return (
    <Narrow>
      <PageHeader title={t('signup.title')} description={t('signup.lead')} />
      <Card>{body}</Card>
      <p className="auth-foot">
        {t('signup.haveAccount')} <Link to="/login">{t('signup.logInLink')}</Link>
      </p>
    </Narrow>
  );
}
