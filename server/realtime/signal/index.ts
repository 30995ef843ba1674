/** WebSocket signalling: the /ws route and the wiring of meetings, router and media. */
export { createSignalling, type Signalling, type SignallingDeps } from './signalling';
