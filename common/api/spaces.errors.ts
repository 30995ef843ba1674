/** Error codes of spaces and meetings. */
export const spacesErrorCodes = ['space_not_found'] as const;
