export { createLogger, redactPaths } from './log';
export type { Logger } from './log';
