import type { AccountDto, InvitationDto } from '@common/api/auth';
import { isLocale } from '@common/i18n/locales';
import type { AccountRow, InvitationRow } from './auth.repo';

/** An account as its owner and stewards see it: never the password hash. */
export function presentAccount(a: AccountRow): AccountDto {
  return {
    id: a.id,
    email: a.email,
    name: a.name,
    role: a.role,
    status: a.status,
    locale: isLocale(a.locale) ? a.locale : null,
    createdAt: a.createdAt,
  };
}

/** An invitation for stewards, with the link to hand out. */
export function presentInvitation(i: InvitationRow, url: string): InvitationDto {
  return {
    id: i.id,
    email: i.email,
    url,
    expiresAt: i.expiresAt,
    usedAt: i.usedAt,
    createdAt: i.createdAt,
  };
}
