import { useCallback, useEffect, useRef, useState } from 'react';
import { announcementPath } from '../../branch-server/contract/announcement.contract.ts';
import { ApiError } from '../shared/api.ts';
import { deviceApi, type DeviceIdentity } from '../shared/device.ts';
import { useI18n } from '../shared/i18n.tsx';
import { liveUrl, openLive, type LiveState } from '../shared/live.ts';
import { Spinner } from '../shared/ui.tsx';
import { CallAnnouncer } from './announcer.ts';
import {
  applyCalled, applyConnection, applyQueueMessage, applyUpdated, callKey, forCounter, initialState,
  type Call, type CalledMessage, type Connection, type DisplayState, type UpdatedMessage, type WaitingEntry,
} from './display-model.ts';
import { dictionary, type DisplayKey } from './i18n.ts';
import { Clock, counterId, spelled } from './labels.tsx';
import { CounterLayout, MainLayout, WaitingRoomLayout } from './layouts.tsx';
import { themeStyle } from './theme.ts';

type Ack = Readonly<{ type: 'ack'; ticket_id: string; recall_count: number; played: boolean }>;

/** While the channel is down, how often the key is checked (a revoked screen goes back to pairing). */
const KEY_CHECK_MS = 15_000;
const SEEN_LIMIT = 5000;

/**
 * A paired display: follows its channel (snapshot, then calls), announces each call in order and
 * acknowledges it, keeps the last state on screen while reconnecting, then resyncs.
 */
export function DisplayScreen({ identity, displayId, onRevoked }: Readonly<{ identity: DeviceIdentity; displayId: string; onRevoked: () => void }>) {
  const { t, lang, setLang } = useI18n<DisplayKey>();
  const [state, setState] = useState<DisplayState>(initialState);
  const [live, setLive] = useState<LiveState>('connecting');
  const [announcing, setAnnouncing] = useState<Call | null>(null);
  const [blocked, setBlocked] = useState(false);
  const waiting = useWaitingLists(identity, state);

  const stateRef = useRef(state);
  stateRef.current = state;
  const onRevokedRef = useRef(onRevoked);
  onRevokedRef.current = onRevoked;

  useEffect(() => {
    const first = state.languages[0];
    if (first && first !== lang) setLang(first);
  }, [state.languages, lang, setLang]);

  useEffect(() => {
    const api = deviceApi(identity, () => onRevokedRef.current());
    const checkKey = () => api.call('getDisplay', { params: { id: displayId } }).catch((error: unknown) => {
      // 401 is handled by the client (forget the key); a display deleted or rebound needs pairing again too.
      if (error instanceof ApiError && (error.status === 403 || error.status === 404)) onRevokedRef.current();
    });
    void checkKey();

    // Calls already taken in (shown and queued for announcement), by ticket and recall. A TV runs for
    // weeks without a reload: the oldest keys are forgotten past a bound far above a day's calls.
    const seen = new Set<string>();
    const remember = (key: string) => {
      seen.add(key);
      if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as string);
    };
    let snapshots = 0;
    let liveState: LiveState = 'connecting';
    const pendingAcks: Ack[] = [];

    const announcer = new CallAnnouncer({
      audioUrl: (call) => {
        const s = stateRef.current;
        if (!s.layout.sound) return null;
        const path = announcementPath.replace(':slug', encodeURIComponent(identity.tenant)).replace(':id', encodeURIComponent(displayId));
        const query = new URLSearchParams({
          ticket: call.ticket_id, lang: s.languages.join(','), recall: String(call.recall_count), device_key: identity.key,
        });
        return `${path}?${query.toString()}`;
      },
      speech: (call) => stateRef.current.languages.map((l) => {
        const id = counterId(call.counter);
        const text = (id ? dictionary[l].speech : dictionary[l].speechNoCounter).replace('{number}', spelled(call.number)).replace('{counter}', id ?? '');
        return { lang: l === 'ar' ? 'ar-SA' : l === 'en' ? 'en-GB' : 'fr-FR', text };
      }),
      onStart: (call) => setAnnouncing(call),
      onDone: (call, played) => {
        setAnnouncing((now) => (now === call ? null : now));
        const ack: Ack = { type: 'ack', ticket_id: call.ticket_id, recall_count: call.recall_count, played };
        if (liveState === 'live') channel.send(ack);
        else pendingAcks.push(ack);
      },
      onBlocked: setBlocked,
    });

    const shownHere = (call: Call) => forCounter([call], stateRef.current.layout.counter).length > 0;

    const onConnection = (message: Connection) => {
      const next = applyConnection(message);
      stateRef.current = next;
      snapshots += 1;
      // Calls made while the screen was away are announced on return (oldest first); on the very
      // first snapshot the history is only shown.
      const missed = [...message.recent_calls].reverse().filter((c) => !seen.has(callKey(c)));
      for (const call of missed) {
        remember(callKey(call));
        if (snapshots > 1 && call.status === 'appele' && shownHere(call)) announcer.enqueue(call);
      }
      setState(next);
    };

    const channel = openLive({
      url: liveUrl(`/ws/tenants/${encodeURIComponent(identity.tenant)}/displays/${encodeURIComponent(displayId)}/`, { deviceKey: identity.key }),
      onState: (next) => {
        liveState = next;
        setLive(next);
        if (next === 'live') for (const ack of pendingAcks.splice(0)) channel.send(ack);
      },
      onMessage: (message) => {
        switch (message.type) {
          case 'connection':
            onConnection(message as unknown as Connection);
            break;
          case 'ticket_called': {
            const call = message as unknown as CalledMessage;
            setState((s) => applyCalled(s, call));
            if (seen.has(callKey(call))) break;
            remember(callKey(call));
            if (shownHere(call)) announcer.enqueue(call);
            break;
          }
          case 'ticket_updated':
            setState((s) => applyUpdated(s, message as unknown as UpdatedMessage));
            break;
          case 'refresh':
            // The configuration changed: a fresh snapshot carries it.
            channel.send({ type: 'resync' });
            break;
        }
      },
    });

    const keyCheck = setInterval(() => {
      if (liveState !== 'live') void checkKey();
    }, KEY_CHECK_MS);

    return () => {
      clearInterval(keyCheck);
      channel.close();
      announcer.dispose();
    };
  }, [identity, displayId]);

  useEffect(() => {
    document.title = state.display ? `${state.display.name} — SmartQueue` : `${t('title')} — SmartQueue`;
  }, [state.display, t]);

  const unblock = useCallback(() => {
    setBlocked(false);
    if (!document.fullscreenElement) document.documentElement.requestFullscreen?.().catch(() => undefined);
  }, []);

  if (!state.display) {
    return (
      <main className="dsp dsp--loading" style={themeStyle({})}>
        <Spinner label={t('loading')} />
        {live === 'reconnecting' && <p className="dsp-reconnecting" role="status">{t('reconnecting')}</p>}
      </main>
    );
  }

  const current = announcing
    ? state.calls.find((c) => c.ticket_id === announcing.ticket_id) ?? announcing
    : state.calls[0] ?? null;
  const props = { state, current, fresh: announcing !== null };
  const title = state.layout.title ?? state.display.name;
  return (
    <main className={`dsp dsp--${state.display.type}${live === 'live' ? '' : ' is-offline'}`} style={themeStyle(state.display.theme)}
      onClick={unblock} data-live={live} data-announcing={announcing?.number ?? ''}>
      <header className="dsp-top">
        <h1 className="dsp-top__title">{title}</h1>
        <div className="dsp-top__marks">
          {blocked && <p className="dsp-blocked" role="status">{t('soundBlocked')}</p>}
          {live !== 'live' && <p className="dsp-reconnecting" role="status">{t('reconnecting')}</p>}
          {state.layout.showClock && <Clock />}
        </div>
      </header>
      <div className="dsp-body">
        {state.display.type === 'counter' && <CounterLayout {...props} />}
        {state.display.type === 'waiting_room' && <WaitingRoomLayout {...props} waiting={waiting} />}
        {state.display.type === 'main' && <MainLayout {...props} />}
      </div>
    </main>
  );
}

/** Waiting-room screens also follow their queues' channels (redacted for devices) for the waiting lists and ETAs. */
function useWaitingLists(identity: DeviceIdentity, state: DisplayState): ReadonlyMap<string, readonly WaitingEntry[]> {
  const [lists, setLists] = useState<ReadonlyMap<string, readonly WaitingEntry[]>>(new Map());
  const follow = state.display?.type === 'waiting_room' ? state.queues.map((q) => q.id).join(',') : '';
  useEffect(() => {
    if (!follow) return undefined;
    const channels = follow.split(',').map((queueId) => openLive({
      url: liveUrl(`/ws/tenants/${encodeURIComponent(identity.tenant)}/queues/${encodeURIComponent(queueId)}/`, { deviceKey: identity.key }),
      onMessage: (message) => {
        if (typeof message.event !== 'string') return;
        setLists((current) => {
          const next = new Map(current);
          next.set(queueId, applyQueueMessage(current.get(queueId) ?? [], message as unknown as Parameters<typeof applyQueueMessage>[1]));
          return next;
        });
      },
    }));
    return () => {
      for (const channel of channels) channel.close();
    };
  }, [identity, follow]);
  return lists;
}
