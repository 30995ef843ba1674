import { useEffect, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { ParticipantInfo } from '@common/protocol';
import { Dialog } from '@app/components';
import type { MeetingClient, MeetingState } from '@app/lib/media';
import { ChatPanel } from './ChatPanel';
import { MeetIcon, type MeetIconName } from './MeetIcon';
import { PeoplePanel } from './PeoplePanel';
import { RemoteAudio, StreamVideo, VideoTile } from './VideoTile';

export function useMeetingState(client: MeetingClient): MeetingState {
  return useSyncExternalStore(client.subscribe, client.getState);
}

/** Columns for n tiles: as square a grid as fits. */
function gridColumns(n: number): number {
  if (n <= 1) return 1;
  if (n <= 4) return 2;
  if (n <= 9) return 3;
  if (n <= 16) return 4;
  return 5;
}

function ControlButton({
  icon,
  label,
  pressed,
  onClick,
  tone,
  disabled,
  badge,
  shortcut,
  text,
}: {
  icon: MeetIconName;
  label: string;
  pressed?: boolean;
  onClick: () => void;
  tone?: 'off' | 'danger' | 'active';
  disabled?: boolean;
  badge?: number;
  shortcut?: string;
  text?: string;
}) {
  return (
    <button
      type="button"
      className={`ctl${tone ? ` ctl-${tone}` : ''}`}
      aria-label={label}
      aria-pressed={pressed}
      aria-keyshortcuts={shortcut}
      title={shortcut ? `${label} (${shortcut.toUpperCase()})` : label}
      disabled={disabled}
      onClick={onClick}
    >
      <MeetIcon name={icon} size={22} />
      {text && <span className="ctl-text">{text}</span>}
      {badge !== undefined && badge > 0 && <span className="ctl-badge">{badge}</span>}
    </button>
  );
}

type Panel = 'chat' | 'people' | null;

/** The full-screen meeting: video grid (screen share large), controls, chat and people panels. */
export function MeetingView({ client }: { client: MeetingClient }) {
  const { t } = useTranslation('spaces');
  const s = useMeetingState(client);
  const [panel, setPanel] = useState<Panel>(null);
  const [unread, setUnread] = useState(0);
  const [seenChat, setSeenChat] = useState(s.chat.length);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const [modMenu, setModMenu] = useState(false);
  const self = s.self;
  const isModerator = self?.role === 'moderator';
  const selfId = self?.id ?? null;
  const myHandUp = selfId !== null && s.hands.includes(selfId);

  useEffect(() => {
    if (panel === 'chat') {
      setSeenChat(s.chat.length);
      setUnread(0);
    } else setUnread(Math.max(0, s.chat.length - seenChat));
  }, [s.chat.length, panel, seenChat]);

  // `m` toggles the microphone and `v` the camera, except while typing.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
      const el = e.target as HTMLElement | null;
      if (el !== null && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)))
        return;
      if (e.key === 'm' || e.key === 'M') {
        e.preventDefault();
        client.toggleMicrophone();
      } else if (e.key === 'v' || e.key === 'V') {
        e.preventDefault();
        client.toggleCamera();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [client]);

  const others = s.participants.filter((p) => p.id !== selfId);
  const everyone: ParticipantInfo[] = self === null ? others : [self, ...others];
  const speaker = s.activeSpeakers[0];
  const sharer = s.participants.find((p) => p.screen && p.id !== selfId && s.remote[p.id]?.screen);
  const screenStream = sharer !== undefined ? s.remote[sharer.id]?.screen : s.screenStream;
  const screenOwner = sharer ?? (s.screenStream !== null ? self : null);
  const handPos = (id: string) => s.hands.indexOf(id) + 1;
  const selfTile =
    self === null ? null : { ...self, microphone: s.microphoneOn, camera: s.cameraOn };
  const tiles = (selfTile === null ? others : [selfTile, ...others]).map((p) => (
    <VideoTile
      key={p.id}
      participant={p}
      stream={p.id === selfId ? s.localStream : s.remote[p.id]?.camera}
      isSelf={p.id === selfId}
      speaking={p.id === speaker && everyone.length > 1}
      handPosition={handPos(p.id)}
    />
  ));
  const micLocked = client.isLocked('microphone') && !s.microphoneOn;
  const camLocked = client.isLocked('camera') && !s.cameraOn;
  const screenLocked = client.isLocked('screen');
  const togglePanel = (p: Panel) => setPanel((cur) => (cur === p ? null : p));

  return (
    <div className={`meeting${panel !== null ? ' with-panel' : ''}`}>
      <header className="meeting-top">
        <div className="meeting-title">
          <h1>{s.space?.name ?? ''}</h1>
          <span className="meeting-count">
            <MeetIcon name="people" size={16} />
            {t('meeting.count', { count: everyone.length })}
          </span>
          {s.locked && (
            <span className="meeting-flag">
              <MeetIcon name="lock" size={14} />
              {t('meeting.locked')}
            </span>
          )}
        </div>
        {isModerator && s.lobby.length > 0 && (
          <div className="lobby-toast" role="status">
            <span>
              {s.lobby.length === 1
                ? t('meeting.lobbyOne', { name: s.lobby[0]?.name ?? '' })
                : t('meeting.lobbyMany', { count: s.lobby.length })}
            </span>
            {s.lobby.length === 1 && s.lobby[0] !== undefined ? (
              <>
                <button
                  type="button"
                  className="btn btn-primary btn-sm"
                  onClick={() => client.admit(s.lobby[0]?.id ?? '')}
                >
                  {t('people.admit')}
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  onClick={() => client.deny(s.lobby[0]?.id ?? '')}
                >
                  {t('people.deny')}
                </button>
              </>
            ) : (
              <button
                type="button"
                className="btn btn-primary btn-sm"
                onClick={() => setPanel('people')}
              >
                {t('meeting.showLobby')}
              </button>
            )}
          </div>
        )}
      </header>

      {s.status === 'reconnecting' && (
        <div className="meeting-banner" role="status">
          <span className="spinner" aria-hidden="true" />
          {t('meeting.reconnecting')}
        </div>
      )}
      {s.notice !== null && Date.now() - s.notice.at < 6000 && (
        <div className="meeting-banner notice" role="status" key={s.notice.at}>
          {t(`errors.${s.notice.code}`)}
        </div>
      )}

      <main className="stage" aria-label={t('meeting.stage')}>
        {screenStream != null && screenOwner != null ? (
          <div className="stage-share">
            <div className="share-main">
              <StreamVideo
                stream={screenStream}
                remote={screenOwner.id !== selfId}
                className="share-video"
                label={t('meeting.screenOf', { name: screenOwner.name })}
              />
              <span className="tile-name">{t('meeting.screenOf', { name: screenOwner.name })}</span>
            </div>
            <div className="filmstrip">{tiles}</div>
          </div>
        ) : (
          <div
            className="grid"
            style={{
              ['--cols' as string]: gridColumns(tiles.length),
              ['--rows' as string]: Math.ceil(tiles.length / gridColumns(tiles.length)),
            }}
          >
            {tiles}
          </div>
        )}
        {others.length === 0 && (
          <p className="stage-alone">
            {s.othersReturning ? t('meeting.othersReturning') : t('meeting.alone')}
          </p>
        )}
      </main>

      {panel !== null && (
        <aside className="side-panel" aria-labelledby="panel-title">
          <div className="panel-head">
            <h2 id="panel-title">{panel === 'chat' ? t('chat.title') : t('people.title')}</h2>
            <button
              type="button"
              className="icon-btn"
              aria-label={t('meeting.closePanel')}
              onClick={() => setPanel(null)}
            >
              <MeetIcon name="close" />
            </button>
          </div>
          {panel === 'chat' ? (
            <ChatPanel
              messages={s.chat}
              selfId={selfId}
              locked={client.isLocked('chat')}
              onSend={(text) => client.sendChat(text)}
            />
          ) : (
            <PeoplePanel
              client={client}
              participants={everyone}
              hands={s.hands}
              lobby={s.lobby}
              selfId={selfId}
              isModerator={isModerator}
            />
          )}
        </aside>
      )}

      <nav className="controls" aria-label={t('meeting.controls')}>
        <div className="controls-group">
          <ControlButton
            icon={s.microphoneOn ? 'mic' : 'micOff'}
            label={s.microphoneOn ? t('meeting.muteMic') : t('meeting.unmuteMic')}
            tone={s.microphoneOn ? undefined : 'off'}
            disabled={!client.hasMicrophone() || micLocked}
            shortcut="m"
            onClick={() => client.toggleMicrophone()}
          />
          <ControlButton
            icon={s.cameraOn ? 'camera' : 'cameraOff'}
            label={s.cameraOn ? t('meeting.cameraOff') : t('meeting.cameraOn')}
            tone={s.cameraOn ? undefined : 'off'}
            disabled={!client.hasCamera() || camLocked}
            shortcut="v"
            onClick={() => client.toggleCamera()}
          />
          <ControlButton
            icon={s.screenStream !== null ? 'stop' : 'screen'}
            label={s.screenStream !== null ? t('meeting.stopShare') : t('meeting.share')}
            tone={s.screenStream !== null ? 'active' : undefined}
            pressed={s.screenStream !== null}
            disabled={screenLocked && s.screenStream === null}
            onClick={() => void client.toggleScreenShare()}
          />
          <ControlButton
            icon="hand"
            label={myHandUp ? t('meeting.lowerHand') : t('meeting.raiseHand')}
            pressed={myHandUp}
            tone={myHandUp ? 'active' : undefined}
            onClick={() => client.setHand(!myHandUp)}
          />
        </div>
        <div className="controls-group">
          <ControlButton
            icon="chat"
            label={t('meeting.chat')}
            pressed={panel === 'chat'}
            badge={unread}
            onClick={() => togglePanel('chat')}
          />
          <ControlButton
            icon="people"
            label={t('meeting.people')}
            pressed={panel === 'people'}
            badge={isModerator ? s.lobby.length + s.hands.length : s.hands.length}
            onClick={() => togglePanel('people')}
          />
          {isModerator && (
            <div className="mod-menu-wrap">
              <ControlButton
                icon="shield"
                label={t('meeting.moderation')}
                pressed={modMenu}
                onClick={() => setModMenu((o) => !o)}
              />
              {modMenu && (
                <div className="mod-menu" role="group" aria-label={t('meeting.moderation')}>
                  <button
                    type="button"
                    className="menu-item"
                    onClick={() => {
                      client.muteAll();
                      setModMenu(false);
                    }}
                  >
                    <MeetIcon name="micOff" size={18} />
                    {t('people.muteAll')}
                  </button>
                  <button
                    type="button"
                    className="menu-item"
                    onClick={() => {
                      client.lowerHands();
                      setModMenu(false);
                    }}
                  >
                    <MeetIcon name="hand" size={18} />
                    {t('people.lowerAll')}
                  </button>
                  <button
                    type="button"
                    className="menu-item"
                    onClick={() => {
                      client.lock(!s.locked);
                      setModMenu(false);
                    }}
                  >
                    <MeetIcon name={s.locked ? 'unlock' : 'lock'} size={18} />
                    {s.locked ? t('meeting.unlock') : t('meeting.lock')}
                  </button>
                  <button
                    type="button"
                    className="menu-item danger-text"
                    onClick={() => {
                      setConfirmEnd(true);
                      setModMenu(false);
                    }}
                  >
                    <MeetIcon name="stop" size={18} />
                    {t('meeting.endForAll')}
                  </button>
                </div>
              )}
            </div>
          )}
          <ControlButton
            icon="leave"
            label={t('meeting.leave')}
            tone="danger"
            text={t('meeting.leaveShort')}
            onClick={() => client.leave()}
          />
        </div>
      </nav>

      <div className="visually-hidden" aria-hidden="true">
        {Object.entries(s.remote).map(([id, r]) =>
          r.microphone !== undefined ? <RemoteAudio key={id} stream={r.microphone} /> : null,
        )}
      </div>

      <Dialog
        open={confirmEnd}
        onClose={() => setConfirmEnd(false)}
        title={t('meeting.endConfirmTitle')}
        footer={
          <>
            <button
              type="button"
              className="btn btn-ghost btn-md"
              onClick={() => setConfirmEnd(false)}
            >
              {t('common:actions.cancel')}
            </button>
            <button
              type="button"
              className="btn btn-danger btn-md"
              onClick={() => {
                setConfirmEnd(false);
                client.endMeeting();
              }}
            >
              {t('meeting.endForAll')}
            </button>
          </>
        }
      >
        <p>{t('meeting.endConfirmBody')}</p>
      </Dialog>
    </div>
  );
}
