import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Navigate, Outlet, useLocation } from 'react-router';
import { Alert, Icon, Loading } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { useSession } from '@app/lib/session';
import { AccountMenu } from './AccountMenu';
import { LanguageSwitcher } from './LanguageSwitcher';
import { navEntries } from './nav';
import { ThemeToggle } from './ThemeToggle';

/** The frame around every page: header with the places, language, theme and account; footer. */
export function Shell() {
  const { t } = useTranslation();
  const { session, error } = useSession();
  const errorMessage = useErrorMessage();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.pathname]);

  // Until the first steward exists, setup is the only page.
  if (session?.setupRequired === true && location.pathname !== '/setup') {
    return <Navigate to="/setup" replace />;
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('shell.skipToContent')}
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              <Icon name="sprout" size={20} />
            </span>
            <span className="brand-name">Commonhall</span>
          </Link>
          <nav
            className={`mainnav${menuOpen ? ' open' : ''}`}
            id="mainnav"
            aria-label={t('shell.mainNavigation')}
          >
            <ul>
              {navEntries.map((e) => (
                <li key={e.key}>
                  <NavLink to={e.to} className="navlink">
                    <Icon name={e.icon} size={18} />
                    <span>{t(`nav.${e.key}`)}</span>
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <div className="topbar-tools">
            <LanguageSwitcher />
            <ThemeToggle />
            <AccountMenu />
            <button
              type="button"
              className="icon-btn menu-toggle"
              aria-expanded={menuOpen}
              aria-controls="mainnav"
              aria-label={menuOpen ? t('shell.closeMenu') : t('shell.openMenu')}
              onClick={() => setMenuOpen((o) => !o)}
            >
              <Icon name={menuOpen ? 'close' : 'menu'} />
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {error !== null ? (
          <Alert tone="danger" title={t('errors.sessionUnavailable')}>
            {errorMessage(error)}
          </Alert>
        ) : session === undefined ? (
          <Loading label={t('status.loading')} />
        ) : (
          <Outlet />
        )}
      </main>
      <footer className="footer">
        <div className="footer-inner">
          <span>{t('shell.footer')}</span>
        </div>
      </footer>
    </div>
  );
}
