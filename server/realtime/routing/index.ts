/** Meeting routing: the Router interface, the in-process LocalRouter, the RedisRouter across nodes. */
export type { LiveStatus, ParticipantSignal, Router, SignalStart } from './router';
export { LocalRouter, type MeetingFactory } from './local-router';
export { RedisRouter, type RedisRouterOptions } from './redis-router';
