/** Meeting routing: the Router interface and the in-process LocalRouter (RedisRouter later). */
export type { LiveStatus, ParticipantSignal, Router, SignalStart } from './router';
export { LocalRouter, type MeetingFactory } from './local-router';
