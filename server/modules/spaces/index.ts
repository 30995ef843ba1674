/** The spaces module's public surface. */
export { spacesRoutes, type SpacesRouteOptions } from './spaces.routes';
export { registerSpaceCommands } from './spaces.cli';
export {
  createSpacesGateway,
  type KeptChatMessage,
  type MeetingSpace,
  type SpacesGateway,
} from './spaces.gateway';
export type { LiveMeetings, LiveSettings, LiveStatus } from './spaces.service';
export type { JoinClaims, TokenCheck } from './join-token';
export { signJoinToken } from './join-token';
