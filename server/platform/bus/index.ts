export { LocalBus } from './bus';
export type { DomainEvent, EventBus, EventHandler } from './bus';
export { RedisBus, connectRedis, quit as quitRedis, type RedisBusOptions } from './redis-bus';
