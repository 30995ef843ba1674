import { useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState, PageHeader } from '@app/components';
import { RequireAccount } from '@app/features/auth/RequireAccount';
import { useSession } from '@app/lib/session';
import { AccountsPanel } from './AccountsPanel';
import { InvitationsPanel } from './InvitationsPanel';
import { RegistrationPanel } from './RegistrationPanel';

const tabs = ['accounts', 'registration', 'invitations'] as const;
type Tab = (typeof tabs)[number];

function Admin() {
  const { t } = useTranslation('admin');
  const { isSteward } = useSession();
  const [tab, setTab] = useState<Tab>('accounts');
  const base = useId();
  if (!isSteward) {
    return (
      <EmptyState icon="shield" level={1} title={t('forbidden.title')}>
        <p>{t('forbidden.body')}</p>
      </EmptyState>
    );
  }
  // Arrow keys move between tabs, as the WAI-ARIA tabs pattern expects.
  const onKeyDown = (e: KeyboardEvent) => {
    const i = tabs.indexOf(tab);
    let next: Tab | undefined;
    if (e.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
    if (e.key === 'ArrowLeft') next = tabs[(i + tabs.length - 1) % tabs.length];
    if (next !== undefined) {
      e.preventDefault();
      setTab(next);
      document.getElementById(`${base}-tab-${next}`)?.focus();
    }
  };
  return (
    <>
      <PageHeader title={t('title')} description={t('lead')} />
      <div className="tabs" role="tablist" aria-label={t('title')} onKeyDown={onKeyDown}>
        {tabs.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            id={`${base}-tab-${k}`}
            className="tab"
            aria-selected={tab === k}
            aria-controls={`${base}-panel`}
            tabIndex={tab === k ? 0 : -1}
            onClick={() => setTab(k)}
          >
            {t(`tabs.${k}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${tab}`}>
        {tab === 'accounts' && <AccountsPanel />}
        {tab === 'registration' && <RegistrationPanel />}
        {tab === 'invitations' && <InvitationsPanel />}
      </div>
    </>
  );
}

/** Stewards' administration: accounts, registration mode, invitations. */
export function AdminPage() {
  return (
    <RequireAccount>
      <Admin />
    </RequireAccount>
  );
}
