/** The accounts and sessions API (common/api/auth.ts), as the app calls it. */
import type { z } from 'zod';
import type {
  AccountDto,
  changeEmailBody,
  changePasswordBody,
  deleteMeBody,
  InvitationDto,
  logInBody,
  ResetCheckDto,
  resetConfirmBody,
  resetRequestBody,
  SessionDto,
  setupBody,
  signUpBody,
  SignUpResultDto,
  updateMeBody,
} from '@common/api/auth';
import { api } from '@app/lib/api';

export interface InvitationCheck {
  valid: boolean;
  email: string | null;
}

export const authApi = {
  setup: (body: z.input<typeof setupBody>) => api.post<SessionDto>('/setup', body),
  signUp: (body: z.input<typeof signUpBody>) => api.post<SignUpResultDto>('/accounts', body),
  logIn: (body: z.input<typeof logInBody>) => api.post<SessionDto>('/session', body),
  logOut: () => api.delete<undefined>('/session'),
  requestReset: (body: z.input<typeof resetRequestBody>) =>
    api.post<undefined>('/password-resets', body),
  confirmReset: (body: z.input<typeof resetConfirmBody>) =>
    api.post<undefined>('/password-resets/confirm', body),
  checkReset: (token: string) =>
    api.get<ResetCheckDto>(`/password-resets/${encodeURIComponent(token)}`),
  updateMe: (body: z.input<typeof updateMeBody>) => api.patch<AccountDto>('/me', body),
  changePassword: (body: z.input<typeof changePasswordBody>) =>
    api.post<undefined>('/me/password', body),
  changeEmail: (body: z.input<typeof changeEmailBody>) => api.post<AccountDto>('/me/email', body),
  deleteMe: (body: z.input<typeof deleteMeBody>) => api.delete<undefined>('/me', body),
  checkInvitation: (token: string) =>
    api.get<InvitationCheck>(`/invitations/${encodeURIComponent(token)}`),
};

export type { InvitationDto };
