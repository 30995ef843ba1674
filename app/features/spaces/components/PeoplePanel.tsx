import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LobbyEntry, ParticipantInfo } from '@common/protocol';
import { Button, Dialog } from '@app/components';
import type { MeetingClient } from '@app/lib/media';
import { MeetIcon } from './MeetIcon';
import { initials } from './VideoTile';

/** Who is here, the raised hands in order, the lobby, and (for moderators) what to do about them. */
export function PeoplePanel({
  client,
  participants,
  hands,
  lobby,
  selfId,
  isModerator,
}: {
  client: MeetingClient;
  participants: ParticipantInfo[];
  hands: string[];
  lobby: LobbyEntry[];
  selfId: string | null;
  isModerator: boolean;
}) {
  const { t } = useTranslation('spaces');
  const byId = new Map(participants.map((p) => [p.id, p]));
  // Removing someone is asked once more: it ends their meeting at once.
  const [removing, setRemoving] = useState<ParticipantInfo | null>(null);
  const confirmRemove = () => {
    if (removing !== null) client.remove(removing.id);
    setRemoving(null);
  };
  return (
    <div className="panel-body people">
      {isModerator && lobby.length > 0 && (
        <section aria-labelledby="lobby-title" className="people-section">
          <h3 id="lobby-title">{t('people.lobby', { count: lobby.length })}</h3>
          <ul className="people-list">
            {lobby.map((w) => (
              <li key={w.id} className="person">
                <span className="person-avatar" aria-hidden="true">
                  {initials(w.name)}
                </span>
                <span className="person-name">
                  {w.name}
                  {!w.signedIn && <span className="person-role">{t('meeting.guest')}</span>}
                </span>
                <span className="person-actions">
                  <button
                    type="button"
                    className="btn btn-primary btn-sm"
                    aria-label={t('people.admitName', { name: w.name })}
                    onClick={() => client.admit(w.id)}
                  >
                    {t('people.admit')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm"
                    aria-label={t('people.denyName', { name: w.name })}
                    onClick={() => client.deny(w.id)}
                  >
                    {t('people.deny')}
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {hands.length > 0 && (
        <section aria-labelledby="hands-title" className="people-section">
          <div className="people-section-head">
            <h3 id="hands-title">{t('people.hands', { count: hands.length })}</h3>
            {isModerator && (
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={() => client.lowerHands()}
              >
                {t('people.lowerAll')}
              </button>
            )}
          </div>
          <ol className="people-list hands-queue">
            {hands.map((id, i) => {
              const p = byId.get(id);
              if (p === undefined) return null;
              return (
                <li key={id} className="person">
                  <span className="queue-pos">{i + 1}</span>
                  <span className="person-name">{p.name}</span>
                  {(isModerator || id === selfId) && (
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      aria-label={t('people.lowerHandOf', { name: p.name })}
                      onClick={() =>
                        id === selfId ? client.setHand(false) : client.lowerHands(id)
                      }
                    >
                      {t('people.lower')}
                    </button>
                  )}
                </li>
              );
            })}
          </ol>
        </section>
      )}
      <section aria-labelledby="present-title" className="people-section">
        <div className="people-section-head">
          <h3 id="present-title">{t('people.present', { count: participants.length })}</h3>
          {isModerator && participants.length > 1 && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => client.muteAll()}>
              {t('people.muteAll')}
            </button>
          )}
        </div>
        <ul className="people-list">
          {participants.map((p) => (
            <li key={p.id} className="person" data-participant={p.id}>
              <span className="person-avatar" aria-hidden="true">
                {initials(p.name)}
              </span>
              <span className="person-name">
                {p.id === selfId ? t('meeting.youLabel', { name: p.name }) : p.name}
                {p.role === 'moderator' && (
                  <span className="person-role">{t('meeting.moderator')}</span>
                )}
                {!p.signedIn && <span className="person-role">{t('meeting.guest')}</span>}
              </span>
              <span className="person-state">
                <MeetIcon
                  name={p.microphone ? 'mic' : 'micOff'}
                  size={16}
                  label={p.microphone ? t('people.micOn') : t('people.micOff')}
                />
                <MeetIcon
                  name={p.camera ? 'camera' : 'cameraOff'}
                  size={16}
                  label={p.camera ? t('people.camOn') : t('people.camOff')}
                />
              </span>
              {isModerator && p.id !== selfId && (
                <span className="person-actions">
                  {p.microphone && (
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      aria-label={t('people.muteName', { name: p.name })}
                      onClick={() => client.mute(p.id)}
                    >
                      {t('people.mute')}
                    </button>
                  )}
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm"
                    aria-label={
                      p.role === 'moderator'
                        ? t('people.demoteName', { name: p.name })
                        : t('people.promoteName', { name: p.name })
                    }
                    onClick={() =>
                      client.setRole(p.id, p.role === 'moderator' ? 'viewer' : 'moderator')
                    }
                  >
                    {p.role === 'moderator' ? t('people.demote') : t('people.promote')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm danger-text"
                    aria-label={t('people.removeName', { name: p.name })}
                    onClick={() => setRemoving(p)}
                  >
                    {t('people.remove')}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
      <Dialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={t('people.removeConfirmTitle', { name: removing?.name ?? '' })}
        footer={
          <div className="row row-end">
            <Button variant="secondary" onClick={() => setRemoving(null)}>
              {t('common:actions.cancel')}
            </Button>
            <Button variant="danger" onClick={confirmRemove}>
              {t('people.remove')}
            </Button>
          </div>
        }
      >
        <p>{t('people.removeConfirmBody', { name: removing?.name ?? '' })}</p>
      </Dialog>
    </div>
  );
}
