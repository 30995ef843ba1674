export { createLogger, redactPaths, serializeRequest } from './log';
export type { Logger } from './log';
