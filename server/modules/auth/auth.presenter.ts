import type { AccountDto, InvitationDto, MemberRefDto } from '@common/api/auth';
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

/** A member as a picker shows them: id and name; the e-mail only for stewards. */
export function presentMemberRef(
  a: Pick<AccountRow, 'id' | 'name' | 'email'>,
  viewerIsSteward: boolean,
): MemberRefDto {
  return viewerIsSteward ? { id: a.id, name: a.name, email: a.email } : { id: a.id, name: a.name };
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
