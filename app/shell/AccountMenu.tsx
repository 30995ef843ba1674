import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { ButtonLink, Icon } from '@app/components';
import { api } from '@app/lib/api';
import { useSession } from '@app/lib/session';

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** Log in / sign up for guests; for members a menu with settings, administration and log out. */
export function AccountMenu() {
  const { t } = useTranslation();
  const { account, isSteward, refresh, session } = useSession();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const navigate = useNavigate();
  const location = useLocation();

  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current !== null && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  if (session === undefined) return null;
  if (account === null) {
    return (
      <div className="account-actions">
        <ButtonLink to="/login" variant="ghost" size="sm">
          {t('shell.logIn')}
        </ButtonLink>
        <ButtonLink to="/signup" variant="primary" size="sm" className="hide-xs">
          {t('shell.signUp')}
        </ButtonLink>
      </div>
    );
  }

  const logOut = async () => {
    await api.delete('/session');
    // Leave first: a members-only page still on screen when the session turns guest would send
    // us to the log-in page instead of home.
    await navigate('/');
    await refresh();
  };

  return (
    <div className="account-menu" ref={ref}>
      <button
        type="button"
        className="avatar-btn"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={t('shell.accountMenu', { name: account.name })}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(account.name)}
        </span>
        <Icon name="chevronDown" size={16} />
      </button>
      {open && (
        <div className="menu" id={menuId}>
          <div className="menu-who">
            <strong>{account.name}</strong>
            <span className="muted">{account.email}</span>
          </div>
          <Link className="menu-item" to="/account">
            <Icon name="user" size={18} />
            {t('shell.account')}
          </Link>
          {isSteward && (
            <Link className="menu-item" to="/admin">
              <Icon name="shield" size={18} />
              {t('shell.admin')}
            </Link>
          )}
          <button type="button" className="menu-item" onClick={() => void logOut()}>
            <Icon name="logOut" size={18} />
            {t('shell.logOut')}
          </button>
        </div>
      )}
    </div>
  );
}
