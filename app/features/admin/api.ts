/** The stewards' administration API (common/api/auth.ts), as the app calls it. */
import type { z } from 'zod';
import type {
  AccountDto,
  AccountListDto,
  adminUpdateAccountBody,
  createInvitationBody,
  InvitationDto,
  listAccountsQuery,
  registrationDto,
} from '@common/api/auth';
import { api } from '@app/lib/api';

export type RegistrationMode = z.infer<typeof registrationDto>['mode'];
export type AccountQuery = Partial<z.input<typeof listAccountsQuery>>;

function query(q: AccountQuery): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q) as [string, string | number | undefined][]) {
    if (v !== undefined && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

export const adminApi = {
  listAccounts: (q: AccountQuery) => api.get<AccountListDto>(`/admin/accounts${query(q)}`),
  updateAccount: (id: string, body: z.input<typeof adminUpdateAccountBody>) =>
    api.patch<AccountDto>(`/admin/accounts/${encodeURIComponent(id)}`, body),
  getRegistration: () => api.get<{ mode: RegistrationMode }>('/admin/registration'),
  setRegistration: (mode: RegistrationMode) =>
    api.put<{ mode: RegistrationMode }>('/admin/registration', { mode }),
  listInvitations: () => api.get<{ items: InvitationDto[] }>('/admin/invitations'),
  createInvitation: (body: z.input<typeof createInvitationBody>) =>
    api.post<InvitationDto>('/admin/invitations', body),
  revokeInvitation: (id: string) =>
    api.delete<undefined>(`/admin/invitations/${encodeURIComponent(id)}`),
};
