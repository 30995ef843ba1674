export { LocalBus } from './bus';
export type { DomainEvent, EventBus, EventHandler } from './bus';
