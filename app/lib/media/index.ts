/** Client WebRTC for meetings: the meeting client, devices and the debug API. */
export {
  MeetingClient,
  type EndReason,
  type InboundTrackStats,
  type MeetingClientOptions,
  type MeetingState,
  type MeetingStatus,
  type RemoteMedia,
} from './meeting-client';
export {
  listDevices,
  mediaProblemOf,
  openLocalMedia,
  stopStream,
  type DeviceChoice,
  type DeviceLists,
  type MediaProblem,
} from './devices';
export { exposeMeetingClient, type MediaDebugApi } from './debug';
export { remoteTracksByMid, type RemoteTrackInfo } from './sdp';
