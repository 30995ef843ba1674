/** Error codes of the handbook. */
export const handbookErrorCodes = ['page_not_found'] as const;
