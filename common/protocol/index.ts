/** The signalling protocol: messages (zod, both directions) and named close codes. */
export * from './messages';
export * from './close-codes';
