import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { ParticipantInfo } from '@common/protocol';
import { MeetIcon } from './MeetIcon';

/** Marks the first remote frame painted (for the join-latency benchmark). */
function markFirstRemoteFrame(): void {
  if (performance.getEntriesByName('commonhall:first-remote-frame').length === 0) {
    performance.mark('commonhall:first-remote-frame');
  }
}

/** A <video> bound to a MediaStream. */
export function StreamVideo({
  stream,
  muted = true,
  mirror = false,
  remote = false,
  className,
  label,
}: {
  stream: MediaStream | null | undefined;
  muted?: boolean;
  mirror?: boolean;
  remote?: boolean;
  className?: string;
  label?: string;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el === null) return;
    if (el.srcObject !== (stream ?? null)) el.srcObject = stream ?? null;
    if (stream != null && remote && 'requestVideoFrameCallback' in el) {
      const id = el.requestVideoFrameCallback(markFirstRemoteFrame);
      return () => el.cancelVideoFrameCallback(id);
    }
    return undefined;
  }, [stream, remote]);
  return (
    <video
      ref={ref}
      className={`${className ?? ''}${mirror ? ' mirror' : ''}`}
      autoPlay
      playsInline
      muted={muted}
      aria-label={label}
    />
  );
}

/** Plays a remote participant's microphone (hidden); Chromium needs an element to render audio. */
export function RemoteAudio({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el !== null && el.srcObject !== stream) el.srcObject = stream;
  }, [stream]);
  return <audio ref={ref} autoPlay />;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** One person in the grid: video or initials, name, microphone and hand, speaker ring. */
export function VideoTile({
  participant,
  stream,
  isSelf,
  speaking,
  handPosition,
}: {
  participant: ParticipantInfo;
  stream: MediaStream | null | undefined;
  isSelf: boolean;
  speaking: boolean;
  handPosition: number;
}) {
  const { t } = useTranslation('spaces');
  const showVideo = participant.camera && stream != null;
  const reconnecting = participant.connection === 'reconnecting';
  return (
    <figure
      className={`tile${speaking ? ' speaking' : ''}${reconnecting ? ' reconnecting' : ''}`}
      data-participant={participant.id}
      aria-label={participant.name}
    >
      {showVideo ? (
        <StreamVideo stream={stream} mirror={isSelf} remote={!isSelf} className="tile-video" />
      ) : (
        <div className="tile-avatar" aria-hidden="true">
          <span>{initials(participant.name)}</span>
        </div>
      )}
      {handPosition > 0 && (
        <span className="tile-hand" title={t('meeting.handRaised')}>
          <MeetIcon name="hand" size={16} />
          <span>{handPosition}</span>
        </span>
      )}
      <figcaption className="tile-name">
        {!participant.microphone && (
          <MeetIcon
            name="micOff"
            size={14}
            label={t('meeting.microphoneOffFor', { name: participant.name })}
          />
        )}
        <span>{isSelf ? t('meeting.youLabel', { name: participant.name }) : participant.name}</span>
        {participant.role === 'moderator' && (
          <MeetIcon name="shield" size={14} label={t('meeting.moderator')} />
        )}
      </figcaption>
      {reconnecting && <span className="tile-status">{t('meeting.reconnectingShort')}</span>}
    </figure>
  );
}
