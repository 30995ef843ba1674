/** The media engine (SFU). Signalling imports only this file. */
export {
  createMediaEngine,
  MediaEngineError,
  type DropCandidate,
  type EngineInternalOptions,
} from './media-engine';
export {
  trackIdOf,
  type EngineOptions,
  type EngineStats,
  type MediaEngine,
  type MediaPeer,
  type MediaRoom,
  type PeerEvents,
  type PeerOptions,
  type RoomEvents,
  type TrackSource,
} from './engine';
