import type { TFunction } from 'i18next';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@common/limits';
import { fieldErrors } from '@app/lib/api';

export type FieldErrors = Record<string, string | undefined>;

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks the usual account fields before sending, in the reader's language. */
export function checkFields(
  t: TFunction,
  values: Partial<Record<'name' | 'email' | 'password' | 'confirm' | 'current', string>>,
): FieldErrors {
  const e: FieldErrors = {};
  if (values.name !== undefined) {
    const n = values.name.trim();
    if (n === '') e.name = t('auth:fields.nameRequired');
    else if (n.length > NAME_MAX_LENGTH)
      e.name = t('auth:fields.nameTooLong', { max: NAME_MAX_LENGTH });
  }
  if (values.email !== undefined) {
    const v = values.email.trim();
    if (!EMAIL_RE.test(v) || v.length > EMAIL_MAX_LENGTH) e.email = t('auth:fields.emailInvalid');
  }
  if (values.current !== undefined && values.current === '') {
    e.current = t('auth:fields.currentRequired');
  }
  if (values.password !== undefined && values.password.length < PASSWORD_MIN_LENGTH) {
    e.password = t('auth:fields.passwordTooShort', { min: PASSWORD_MIN_LENGTH });
  }
  if (values.confirm !== undefined && values.confirm !== values.password) {
    e.confirm = t('auth:fields.passwordsDiffer');
  }
  return e;
}

/** True when there is no error to show. */
export function isClean(e: FieldErrors): boolean {
  return Object.values(e).every((v) => v === undefined);
}

/** Field errors from a server validation_failed, translated by field (`map` renames fields). */
export function serverFieldErrors(
  t: TFunction,
  err: unknown,
  map: Record<string, 'name' | 'email' | 'password' | 'current'> = {},
): FieldErrors {
  const out: FieldErrors = {};
  for (const field of Object.keys(fieldErrors(err))) {
    const f = map[field] ?? field;
    if (f === 'name') out.name = t('auth:fields.nameRequired');
    else if (f === 'email') out.email = t('auth:fields.emailInvalid');
    else if (f === 'password')
      out.password = t('auth:fields.passwordTooShort', { min: PASSWORD_MIN_LENGTH });
    else if (f === 'current') out.current = t('auth:fields.currentRequired');
  }
  return out;
}
