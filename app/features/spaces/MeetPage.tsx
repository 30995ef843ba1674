import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { JoinTicketDto, SpacePublicDto } from '@common/api/spaces';
import { Alert, Button, Loading, TextField, useDocumentTitle } from '@app/components';
import { ApiError } from '@app/lib/api';
import { useErrorMessage } from '@app/lib/errors';
import {
  exposeMeetingClient,
  listDevices,
  MeetingClient,
  mediaProblemOf,
  openLocalMedia,
  stopStream,
  type DeviceLists,
  type MediaProblem,
} from '@app/lib/media';
import { useSession } from '@app/lib/session';
import { LanguageSwitcher } from '@app/shell/LanguageSwitcher';
import { ThemeToggle } from '@app/shell/ThemeToggle';
import { spacesApi, spacesKeys } from './api';
import { MeetIcon } from './components/MeetIcon';
import { MeetingView, useMeetingState } from './components/MeetingView';
import { StreamVideo } from './components/VideoTile';
import './spaces.css';

const NAME_KEY = 'commonhall.meetingName';
const GUEST_KEY = 'commonhall.guestKey';

/**
 * This browser's guest key (made once, kept in localStorage, never shown): a guest joining again
 * from a new tab or after a crash replaces their own "Reconnecting" place instead of leaving a
 * ghost beside the new one. Null where storage is not available.
 */
function guestKey(): string | null {
  try {
    let key = localStorage.getItem(GUEST_KEY);
    if (key === null || !/^[A-Za-z0-9_-]{22,64}$/.test(key)) {
      const bytes = crypto.getRandomValues(new Uint8Array(24));
      key = btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
      localStorage.setItem(GUEST_KEY, key);
    }
    return key;
  } catch {
    return null;
  }
}

function FrameTop() {
  const { t } = useTranslation('spaces');
  return (
    <header className="prejoin-top">
      <Link to="/" className="brand" aria-label={t('prejoin.home')}>
        <span className="brand-mark" aria-hidden="true">
          <MeetIcon name="camera" size={18} />
        </span>
        <span className="brand-name">Commonhall</span>
      </Link>
      <div className="topbar-tools">
        <LanguageSwitcher />
        <ThemeToggle />
      </div>
    </header>
  );
}

interface Joined {
  client: MeetingClient;
  /** Everything needed to join again from the "ended" screen. */
  name: string;
  accessCode: string;
}

/** Camera and microphone preview, device choice, name, access code and the Join button. */
function PreJoin({ space, onJoined }: { space: SpacePublicDto; onJoined: (j: Joined) => void }) {
  const { t } = useTranslation('spaces');
  const errorMessage = useErrorMessage();
  const { account } = useSession();
  const [name, setName] = useState(() => account?.name ?? localStorage.getItem(NAME_KEY) ?? '');
  const [code, setCode] = useState('');
  const [showModCode, setShowModCode] = useState(false);
  const [micOn, setMicOn] = useState(true);
  const [camOn, setCamOn] = useState(true);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [problem, setProblem] = useState<MediaProblem | null>(null);
  const [devices, setDevices] = useState<DeviceLists | null>(null);
  const [micId, setMicId] = useState<string | undefined>();
  const [camId, setCamId] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const queryClient = useQueryClient();
  const handedOver = useRef(false);
  const streamRef = useRef<MediaStream | null>(null);
  // The preview being opened; Join waits for it so the meeting starts with camera and microphone.
  const opening = useRef<Promise<MediaStream | null>>(Promise.resolve(null));

  useEffect(() => {
    if (account !== null && name === '') setName(account.name);
  }, [account, name]);

  // (Re)open the preview whenever the chosen devices change.
  useEffect(() => {
    let cancelled = false;
    const box: { ready: (s: MediaStream | null) => void } = { ready: () => undefined };
    opening.current = new Promise((r) => {
      box.ready = r;
    });
    const ready = (s: MediaStream | null) => box.ready(s);
    openLocalMedia({ audio: true, video: true }, { microphoneId: micId, cameraId: camId })
      .catch(async (err: unknown) => {
        // Try with only one of them before giving up.
        setProblem(mediaProblemOf(err));
        try {
          return await openLocalMedia({ audio: true, video: false }, { microphoneId: micId });
        } catch {
          return new MediaStream();
        }
      })
      .then(
        async (s) => {
          if (cancelled) {
            stopStream(s);
            ready(streamRef.current);
            return;
          }
          if (s.getVideoTracks().length > 0) setProblem(null);
          stopStream(streamRef.current);
          streamRef.current = s;
          setStream(s);
          ready(s);
          setDevices(await listDevices());
        },
        () => ready(null),
      );
    return () => {
      cancelled = true;
    };
  }, [micId, camId]);

  // Release the camera when leaving the page without joining.
  useEffect(
    () => () => {
      if (!handedOver.current) stopStream(streamRef.current);
    },
    [],
  );

  useEffect(() => {
    stream?.getAudioTracks().forEach((tr) => (tr.enabled = micOn));
    stream?.getVideoTracks().forEach((tr) => (tr.enabled = camOn));
  }, [stream, micOn, camOn]);

  const needsCode = space.accessCodeRequired && !space.viewerIsModerator;
  // A member is shown by their account's name (the server decides it); a guest picks one.
  const shownName = account !== null ? account.name : name;
  // The server refuses a locked meeting to everyone it would not make a moderator (owner,
  // co-moderator, moderator code). The status we poll says so before any click; a refusal on
  // Join (the lock came after our last poll) says so too and refreshes the status.
  const refusedLocked = error instanceof ApiError && error.code === 'space_locked';
  const liveLocked = space.live?.locked === true;
  // Where everyone joins as a moderator the lock holds nobody back (the server's rule too).
  const lockedOut = liveLocked && !space.viewerIsModerator && !space.everyoneJoinsAsModerator;
  useEffect(() => {
    // The status changed (e.g. unlocked): a refusal from before no longer holds.
    setError((e: unknown) => (e instanceof ApiError && e.code === 'space_locked' ? null : e));
  }, [liveLocked]);
  // A moderator code may be typed into its own field, or into the access code field (its hint
  // says so): either way a locked meeting lets it try.
  const canTryModeratorCode =
    space.moderatorCodeEnabled && code !== '' && (showModCode || needsCode);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    performance.clearMarks();
    performance.mark('commonhall:join-click');
    if (shownName.trim() === '') {
      setError(new ApiError(400, 'name_required', ''));
      return;
    }
    setBusy(true);
    setError(null);
    const key = account === null ? guestKey() : null;
    const body = {
      name: shownName.trim(),
      ...(code !== '' ? { accessCode: code } : {}),
      ...(key !== null ? { guestKey: key } : {}),
    };
    let first: JoinTicketDto;
    try {
      first = await spacesApi.join(space.slug, body);
    } catch (err) {
      setBusy(false);
      setError(err);
      if (err instanceof ApiError && err.code === 'space_locked')
        void queryClient.invalidateQueries({ queryKey: spacesKeys.public(space.slug) });
      return;
    }
    if (account === null) localStorage.setItem(NAME_KEY, name.trim());
    // Join clicked before the preview opened: wait for it (bounded).
    const local =
      streamRef.current ??
      (await Promise.race([
        opening.current,
        new Promise<null>((r) => window.setTimeout(() => r(null), 10_000)),
      ]));
    let used = false;
    const client = new MeetingClient({
      getTicket: async () => {
        if (!used) {
          used = true;
          return first;
        }
        return spacesApi.join(space.slug, body);
      },
      localStream: local ?? new MediaStream(),
      microphoneOn: micOn && (local?.getAudioTracks().length ?? 0) > 0,
      cameraOn: camOn && (local?.getVideoTracks().length ?? 0) > 0,
      cameraId: camId,
    });
    handedOver.current = true;
    onJoined({ client, name: body.name, accessCode: code });
    void client.start();
  };

  const nameError =
    error instanceof ApiError && error.code === 'name_required'
      ? t('prejoin.nameRequired')
      : undefined;
  const codeError =
    error instanceof ApiError && error.code === 'access_code_invalid'
      ? t('errors.access_code_invalid')
      : undefined;
  const otherError =
    error !== null && nameError === undefined && codeError === undefined && !refusedLocked;
  const hasCam = (stream?.getVideoTracks().length ?? 0) > 0;
  const hasMic = (stream?.getAudioTracks().length ?? 0) > 0;

  return (
    <div className="prejoin">
      <section className="prejoin-preview" aria-label={t('prejoin.preview')}>
        <div className="preview-box">
          {hasCam && camOn ? (
            <StreamVideo stream={stream} mirror className="preview-video" />
          ) : (
            <div className="preview-off">
              <MeetIcon name="cameraOff" size={36} />
              <span>
                {problem === 'denied'
                  ? t('prejoin.cameraDenied')
                  : !hasCam && stream !== null
                    ? t('prejoin.noCamera')
                    : stream === null
                      ? t('prejoin.startingCamera')
                      : t('prejoin.cameraIsOff')}
              </span>
            </div>
          )}
          <div className="preview-controls">
            <button
              type="button"
              className={`ctl${micOn && hasMic ? '' : ' ctl-off'}`}
              aria-label={micOn ? t('meeting.muteMic') : t('meeting.unmuteMic')}
              aria-pressed={!micOn}
              disabled={!hasMic}
              onClick={() => setMicOn((v) => !v)}
            >
              <MeetIcon name={micOn && hasMic ? 'mic' : 'micOff'} size={22} />
            </button>
            <button
              type="button"
              className={`ctl${camOn && hasCam ? '' : ' ctl-off'}`}
              aria-label={camOn ? t('meeting.cameraOff') : t('meeting.cameraOn')}
              aria-pressed={!camOn}
              disabled={!hasCam}
              onClick={() => setCamOn((v) => !v)}
            >
              <MeetIcon name={camOn && hasCam ? 'camera' : 'cameraOff'} size={22} />
            </button>
          </div>
        </div>
        {devices !== null && (
          <div className="device-row">
            <label className="device-select">
              <MeetIcon name="mic" size={16} />
              <span className="visually-hidden">{t('prejoin.microphone')}</span>
              <select
                value={micId ?? stream?.getAudioTracks()[0]?.getSettings().deviceId ?? ''}
                onChange={(e) => setMicId(e.target.value)}
                disabled={devices.microphones.length === 0}
              >
                {devices.microphones.length === 0 && <option value="">{t('prejoin.none')}</option>}
                {devices.microphones.map((d, i) => (
                  <option key={d.deviceId || i} value={d.deviceId}>
                    {d.label || t('prejoin.microphoneN', { n: i + 1 })}
                  </option>
                ))}
              </select>
            </label>
            <label className="device-select">
              <MeetIcon name="camera" size={16} />
              <span className="visually-hidden">{t('prejoin.camera')}</span>
              <select
                value={camId ?? stream?.getVideoTracks()[0]?.getSettings().deviceId ?? ''}
                onChange={(e) => setCamId(e.target.value)}
                disabled={devices.cameras.length === 0}
              >
                {devices.cameras.length === 0 && <option value="">{t('prejoin.none')}</option>}
                {devices.cameras.map((d, i) => (
                  <option key={d.deviceId || i} value={d.deviceId}>
                    {d.label || t('prejoin.cameraN', { n: i + 1 })}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
      </section>

      <section className="prejoin-form" aria-labelledby="prejoin-title">
        <p className="eyebrow">{lockedOut ? t('prejoin.lockedEyebrow') : t('prejoin.eyebrow')}</p>
        <h1 id="prejoin-title">{space.name}</h1>
        {space.description !== '' && <p className="muted">{space.description}</p>}
        <p className="prejoin-live">
          {space.live !== null ? (
            <>
              <span className="live-dot" aria-hidden="true" />
              {t('prejoin.liveNow', { count: space.live.participants })}
            </>
          ) : (
            t('prejoin.notStarted')
          )}
        </p>
        {(lockedOut || refusedLocked) && (
          <Alert tone="warning">
            {t('prejoin.lockedNotice')}
            {/* The status is asked again every 15 s: Join comes back by itself. */}
            {lockedOut && <span className="prejoin-locked-wait">{t('prejoin.lockedWait')}</span>}
          </Alert>
        )}
        {space.signInRequired && account === null && (
          <Alert tone="info">
            {t('prejoin.signInNeeded')}{' '}
            <Link to={`/login?next=${encodeURIComponent(`/s/${space.slug}`)}`}>
              {t('prejoin.logIn')}
            </Link>
          </Alert>
        )}
        <form className="stack" onSubmit={(e) => void onSubmit(e)} noValidate>
          {otherError && <Alert tone="danger">{errorMessage(error)}</Alert>}
          <TextField
            label={t('prejoin.name')}
            value={shownName}
            autoComplete="name"
            maxLength={100}
            readOnly={account !== null}
            hint={account !== null ? t('prejoin.nameFromAccount') : undefined}
            error={nameError}
            onChange={(e) => setName(e.target.value)}
          />
          {(needsCode || showModCode) && (
            <TextField
              label={needsCode ? t('prejoin.accessCode') : t('prejoin.moderatorCode')}
              hint={
                needsCode && space.moderatorCodeEnabled ? t('prejoin.accessCodeHint') : undefined
              }
              type="password"
              autoComplete="off"
              value={code}
              error={codeError}
              onChange={(e) => setCode(e.target.value)}
            />
          )}
          <Button
            type="submit"
            size="lg"
            block
            busy={busy}
            disabled={lockedOut && !canTryModeratorCode}
          >
            {t('prejoin.join')}
          </Button>
          {!needsCode && space.moderatorCodeEnabled && !space.viewerIsModerator && !showModCode && (
            <button type="button" className="link-btn" onClick={() => setShowModCode(true)}>
              {t('prejoin.haveModeratorCode')}
            </button>
          )}
          {space.lobby !== 'off' && !space.viewerIsModerator && !lockedOut && (
            <p className="muted small">{t('prejoin.lobbyNote')}</p>
          )}
        </form>
      </section>
    </div>
  );
}

/** Waiting for a moderator, or in the lobby: a calm card with our own preview. */
function Waiting({ client }: { client: MeetingClient }) {
  const { t } = useTranslation('spaces');
  const s = useMeetingState(client);
  const title =
    s.status === 'lobby'
      ? t('waiting.lobbyTitle')
      : s.status === 'waiting_for_moderator'
        ? t('waiting.moderatorTitle')
        : s.status === 'reconnecting'
          ? t('meeting.reconnecting')
          : t('waiting.connecting');
  const body =
    s.status === 'lobby'
      ? t('waiting.lobbyBody')
      : s.status === 'waiting_for_moderator'
        ? t('waiting.moderatorBody')
        : '';
  return (
    <div className="center-card">
      <div className="card waiting-card" role="status" aria-live="polite">
        <div className="waiting-preview">
          {s.cameraOn && s.localStream.getVideoTracks().length > 0 ? (
            <StreamVideo stream={s.localStream} mirror className="preview-video" />
          ) : (
            <div className="preview-off">
              <MeetIcon name="clock" size={32} />
            </div>
          )}
        </div>
        <div className="waiting-text">
          <span className="spinner" aria-hidden="true" />
          <h1>{title}</h1>
          {body !== '' && <p className="muted">{body}</p>}
        </div>
        <Button variant="secondary" onClick={() => client.leave()}>
          {t('waiting.cancel')}
        </Button>
      </div>
    </div>
  );
}

function Ended({ client, onRejoin }: { client: MeetingClient; onRejoin: () => void }) {
  const { t } = useTranslation('spaces');
  const { account } = useSession();
  const s = useMeetingState(client);
  const reason = s.endReason ?? 'left';
  const key =
    reason === 'join_failed' && s.endCode !== null && s.endCode !== ''
      ? `errors.${s.endCode}`
      : `ended.${reason}`;
  const canRejoin =
    reason === 'left' ||
    reason === 'connection_lost' ||
    reason === 'join_failed' ||
    reason === 'meeting_full' ||
    reason === 'space_locked';
  return (
    <div className="center-card">
      <div className="card ended-card">
        <div className="ended-icon" aria-hidden="true">
          <MeetIcon name={reason === 'connection_lost' ? 'wifiOff' : 'door'} size={32} />
        </div>
        <h1>{t(`ended.title.${reason}`, { defaultValue: t('ended.title.default') })}</h1>
        <p className="muted">{t(key, { defaultValue: t('ended.left') })}</p>
        <div className="row ended-actions">
          {canRejoin && <Button onClick={onRejoin}>{t('ended.rejoin')}</Button>}
          <Link className="btn btn-secondary btn-md" to={account !== null ? '/spaces' : '/'}>
            {account !== null ? t('ended.toSpaces') : t('ended.home')}
          </Link>
        </div>
      </div>
    </div>
  );
}

function Session({ joined, onRejoin }: { joined: Joined; onRejoin: () => void }) {
  const s = useMeetingState(joined.client);
  const inMeeting =
    s.status === 'meeting' ||
    (s.status === 'reconnecting' && s.self !== null && s.participants.length > 0);
  if (s.status === 'ended') return <Ended client={joined.client} onRejoin={onRejoin} />;
  if (inMeeting) return <MeetingView client={joined.client} />;
  return (
    <>
      <FrameTop />
      <Waiting client={joined.client} />
    </>
  );
}

/** `/s/:slug`: the pre-join page, then the waiting room, the meeting, and the end. */
export function MeetPage() {
  const { t } = useTranslation('spaces');
  const errorMessage = useErrorMessage();
  const { slug = '' } = useParams();
  const { session } = useSession();
  const [joined, setJoined] = useState<Joined | null>(null);
  const info = useQuery({
    queryKey: spacesKeys.public(slug),
    queryFn: () => spacesApi.publicInfo(slug),
    enabled: session !== undefined,
    refetchInterval: joined === null ? 15_000 : false,
  });
  useDocumentTitle(info.data?.name ?? t('prejoin.title'));

  // Leaving the page leaves the meeting. The leave on unmount is deferred a tick so React's
  // development double-mount (StrictMode) does not end a meeting that just started.
  const pendingLeave = useRef<{ client: MeetingClient; timer: number } | null>(null);
  useEffect(() => {
    exposeMeetingClient(joined?.client ?? null);
    if (joined === null) return;
    const client = joined.client;
    if (pendingLeave.current?.client === client) window.clearTimeout(pendingLeave.current.timer);
    const leave = () => client.leave();
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      pendingLeave.current = { client, timer: window.setTimeout(leave, 0) };
    };
  }, [joined]);

  const rejoin = useCallback(() => {
    setJoined(null);
    void info.refetch();
  }, [info]);

  if (joined !== null) {
    return (
      <div className="meet-root">
        <Session joined={joined} onRejoin={rejoin} />
      </div>
    );
  }
  return (
    <div className="meet-root">
      <FrameTop />
      <main className="prejoin-main" id="main">
        {info.error ? (
          <div className="center-card">
            <div className="card ended-card">
              <h1>{t('prejoin.notFoundTitle')}</h1>
              <p className="muted">{errorMessage(info.error)}</p>
              <Link className="btn btn-secondary btn-md" to="/">
                {t('ended.home')}
              </Link>
            </div>
          </div>
        ) : info.data === undefined ? (
          <Loading label={t('common:status.loading')} />
        ) : (
          <PreJoin space={info.data} onJoined={setJoined} />
        )}
      </main>
    </div>
  );
}
