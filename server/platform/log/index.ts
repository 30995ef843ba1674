export {
  createLogger,
  createProcessLogger,
  humanLines,
  redactPaths,
  serializeRequest,
} from './log';
export type { Logger, ProcessOutput } from './log';
