/**
 * Column conventions shared by every migration, so one migration runs on SQLite and PostgreSQL:
 * ids are text; timestamps are ISO-8601 UTC text (sortable, same on both); booleans are integers
 * 0/1; JSON is text; money is integer minor units plus a currency code.
 */

/** ISO-8601 timestamp text of a Date, the form every timestamp column stores. */
export const isoNow = (d: Date = new Date()): string => d.toISOString();
