/** Error codes of spaces and meetings (REST and the signalling `error` message share this list). */
export const spacesErrorCodes = [
  'space_not_found',
  'slug_taken',
  'slug_invalid',
  'account_not_found',
  'setting_not_changeable',
  'access_code_invalid',
  'space_locked',
  'meeting_full',
  'lobby_full',
  'sign_in_required',
] as const;

export type SpacesErrorCode = (typeof spacesErrorCodes)[number];
