export { ConfigError, envFromProcess, envSchema, loadConfig } from './config';
export type { Config, Database, EnvInput } from './config';
