import type { RouteObject } from 'react-router';
import { AccountPage } from './AccountPage';
import { ForgotPasswordPage } from './ForgotPasswordPage';
import { LogInPage } from './LogInPage';
import { ResetPasswordPage } from './ResetPasswordPage';
import { SetupPage } from './SetupPage';
import { SignUpPage } from './SignUpPage';

export const authRoutes: RouteObject[] = [
  { path: 'setup', element: <SetupPage /> },
  { path: 'signup', element: <SignUpPage /> },
  // Invitation links the server writes point here.
  { path: 'sign-up', element: <SignUpPage /> },
  { path: 'login', element: <LogInPage /> },
  { path: 'forgot-password', element: <ForgotPasswordPage /> },
  { path: 'reset-password', element: <ResetPasswordPage /> },
  { path: 'account', element: <AccountPage /> },
];
