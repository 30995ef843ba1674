/** Camera and microphone access for the pre-join preview and the meeting. */

export interface DeviceChoice {
  microphoneId?: string | undefined;
  cameraId?: string | undefined;
}

export interface DeviceLists {
  microphones: MediaDeviceInfo[];
  cameras: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

/** Why local media is missing: refused by the person, absent, or something else. */
export type MediaProblem = 'denied' | 'not_found' | 'unavailable';

export function mediaProblemOf(err: unknown): MediaProblem {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'not_found';
  return 'unavailable';
}

export const videoConstraints: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 480 },
  frameRate: { ideal: 24, max: 30 },
};

/** Opens the chosen camera and microphone (either may be left out). */
export async function openLocalMedia(
  want: { audio: boolean; video: boolean },
  choice: DeviceChoice,
): Promise<MediaStream> {
  if (!want.audio && !want.video) return new MediaStream();
  return navigator.mediaDevices.getUserMedia({
    audio: want.audio
      ? {
          echoCancellation: true,
          noiseSuppression: true,
          ...(choice.microphoneId !== undefined
            ? { deviceId: { exact: choice.microphoneId } }
            : {}),
        }
      : false,
    video: want.video
      ? {
          ...videoConstraints,
          ...(choice.cameraId !== undefined ? { deviceId: { exact: choice.cameraId } } : {}),
        }
      : false,
  });
}

/** The devices the browser lists (labels appear once permission was given). */
export async function listDevices(): Promise<DeviceLists> {
  const all = await navigator.mediaDevices.enumerateDevices();
  return {
    microphones: all.filter((d) => d.kind === 'audioinput'),
    cameras: all.filter((d) => d.kind === 'videoinput'),
    speakers: all.filter((d) => d.kind === 'audiooutput'),
  };
}

/** Stops every track of a stream (turns the camera light off). */
export function stopStream(stream: MediaStream | null | undefined): void {
  stream?.getTracks().forEach((t) => t.stop());
}
