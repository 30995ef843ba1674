/** Error codes of the handbook. Stable once shipped; translated under `errors.<code>` in handbook.json. */
export const handbookErrorCodes = [
  'page_not_found',
  'page_exists',
  'item_not_found',
  'edit_conflict',
  'page_too_large',
  'too_many_links',
  'image_too_large',
  'image_type_unsupported',
  'image_not_found',
  'journal_index_invalid',
  'handbook_members_only',
  'section_invalid',
  'import_refused',
  'circle_not_found',
  'circle_name_taken',
] as const;
