import { useI18n } from '../shared/i18n.tsx';
import { counterBoard, forCounter, type Call, type DisplayState, type QueueInfo, type WaitingEntry } from './display-model.ts';
import type { DisplayKey } from './i18n.ts';
import { Label } from './labels.tsx';

type LayoutProps = Readonly<{ state: DisplayState; current: Call | null; fresh: boolean }>;

/** The arrow from a number to its counter; mirrored in right-to-left. */
const Arrow = () => <span className="dsp-arrow" aria-hidden="true">→</span>;

function statusKey(call: Call): DisplayKey | null {
  if (call.status === 'appele') return 'called';
  if (call.status === 'en_service') return 'inService';
  return null;
}

/** The call being announced (or the last one): the biggest thing in the room. */
function NowCalling({ call, state, fresh }: Readonly<{ call: Call | null; state: DisplayState; fresh: boolean }>) {
  const { t } = useI18n<DisplayKey>();
  if (!call) return <p className="dsp-empty">{t('noCallYet')}</p>;
  return (
    <div className={`dsp-now__call${fresh ? ' is-fresh' : ''}`} key={`${call.ticket_id}:${call.recall_count}`} data-ticket={call.number} data-testid="now-calling">
      <p className="dsp-now__number"><bdi>{call.number}</bdi></p>
      <p className="dsp-now__counter"><Arrow /> <bdi>{call.counter}</bdi></p>
      <p className="dsp-now__queue">
        <span>{call.queue_name}</span>
        {call.recall_count > 0 && <span className="dsp-chip dsp-chip--recall"><Label k="recall" languages={state.languages} /></span>}
      </p>
    </div>
  );
}

/** Main waiting-room screen: now calling (very large), the last N calls, and what each counter serves. */
export function MainLayout({ state, current, fresh }: LayoutProps) {
  const { t } = useI18n<DisplayKey>();
  const { languages, layout } = state;
  const earlier = state.calls.filter((c) => c.ticket_id !== current?.ticket_id).slice(0, layout.recentCount);
  const board = counterBoard(state.calls).slice(0, 8);
  return (
    <div className="dsp-main">
      <section className="dsp-panel dsp-now" aria-labelledby="dsp-now-title" aria-live="polite">
        <h2 id="dsp-now-title" className="dsp-section-title"><Label k="nowCalling" languages={languages} /></h2>
        <NowCalling call={current} state={state} fresh={fresh} />
      </section>
      <section className="dsp-panel dsp-recent" aria-labelledby="dsp-recent-title">
        <h2 id="dsp-recent-title" className="dsp-section-title"><Label k="lastCalls" languages={languages} /></h2>
        {earlier.length === 0
          ? <p className="dsp-muted">{t('noCallYet')}</p>
          : (
            <ol className="dsp-recent__list">
              {earlier.map((call) => (
                <li key={call.ticket_id} className="dsp-recent__row" data-ticket={call.number}>
                  <bdi className="dsp-recent__number">{call.number}</bdi>
                  <Arrow />
                  <bdi className="dsp-recent__counter">{call.counter}</bdi>
                </li>
              ))}
            </ol>
          )}
      </section>
      <section className="dsp-board" aria-labelledby="dsp-board-title">
        <h2 id="dsp-board-title" className="dsp-board__title"><Label k="counters" languages={languages} /></h2>
        {board.length === 0
          ? <QueueStrip queues={state.queues} />
          : (
            <ul className="dsp-board__list">
              {board.map(({ counter, call }) => (
                <li key={counter} className={`dsp-board__tile${call ? '' : ' is-free'}`}>
                  <bdi className="dsp-board__counter">{counter}</bdi>
                  {call
                    ? <bdi className="dsp-board__number" data-ticket={call.number}>{call.number}</bdi>
                    : <span className="dsp-board__free">{t('free')}</span>}
                </li>
              ))}
            </ul>
          )}
      </section>
    </div>
  );
}

/** Waiting counts per queue, where no counter has called yet this morning. */
function QueueStrip({ queues }: Readonly<{ queues: readonly QueueInfo[] }>) {
  const { t } = useI18n<DisplayKey>();
  return (
    <ul className="dsp-board__list">
      {queues.map((q) => (
        <li key={q.id} className="dsp-board__tile">
          <span className="dsp-board__counter">{q.name}</span>
          <span className="dsp-board__waiting">{q.status === 'open' ? t('waitingCount', { n: q.waiting_count }) : t('queueClosed')}</span>
        </li>
      ))}
    </ul>
  );
}

/** A screen above one counter: its name, and the ticket it calls or serves, huge. */
export function CounterLayout({ state, current, fresh }: LayoutProps) {
  const { t } = useI18n<DisplayKey>();
  const mine = forCounter(state.calls, state.layout.counter);
  const shown = current && forCounter([current], state.layout.counter).length > 0 ? current : mine[0] ?? null;
  const active = shown && (shown.status === 'appele' || shown.status === 'en_service') ? shown : null;
  const label = state.layout.counter ?? shown?.counter ?? state.display?.name ?? '';
  const status = active ? statusKey(active) : null;
  return (
    <div className="dsp-counter">
      <h2 className="dsp-counter__label"><bdi>{label}</bdi></h2>
      {active
        ? (
          <div className={`dsp-counter__call${fresh && active === current ? ' is-fresh' : ''}`} key={`${active.ticket_id}:${active.recall_count}`} data-ticket={active.number} data-testid="now-calling" aria-live="polite">
            <p className="dsp-counter__caption"><Label k="ticket" languages={state.languages} /></p>
            <p className="dsp-counter__number"><bdi>{active.number}</bdi></p>
            {status && <p className={`dsp-chip dsp-chip--${active.status}`}><Label k={status} languages={state.languages} /></p>}
          </div>
        )
        : <p className="dsp-counter__idle"><Label k="nextCustomer" languages={state.languages} /></p>}
      <p className="dsp-counter__queues">{state.queues.map((q) => q.name).join(' · ') || t('title')}</p>
    </div>
  );
}

const ROWS_PER_QUEUE = 7;

/** The waiting list with ETAs, per queue, under a band with the current call. */
export function WaitingRoomLayout({ state, current, fresh, waiting }: LayoutProps & Readonly<{ waiting: ReadonlyMap<string, readonly WaitingEntry[]> }>) {
  const { t, formatMinutes } = useI18n<DisplayKey>();
  const { languages } = state;
  return (
    <div className="dsp-wr">
      <section className="dsp-wr__now" aria-labelledby="dsp-wr-now-title" aria-live="polite">
        <h2 id="dsp-wr-now-title" className="dsp-section-title"><Label k="nowCalling" languages={languages} /></h2>
        {current
          ? (
            <p className={`dsp-wr__call${fresh ? ' is-fresh' : ''}`} key={`${current.ticket_id}:${current.recall_count}`} data-ticket={current.number} data-testid="now-calling">
              <bdi className="dsp-wr__number">{current.number}</bdi>
              <Arrow />
              <bdi className="dsp-wr__counter">{current.counter}</bdi>
            </p>
          )
          : <p className="dsp-empty dsp-empty--small">{t('welcome')}</p>}
      </section>
      <section className="dsp-wr__queues" aria-labelledby="dsp-wr-list-title">
        <h2 id="dsp-wr-list-title" className="dsp-section-title"><Label k="waitingList" languages={languages} /></h2>
        <div className="dsp-wr__grid" style={{ gridTemplateColumns: `repeat(${Math.min(4, Math.max(1, state.queues.length))}, minmax(0, 1fr))` }}>
          {state.queues.slice(0, 8).map((queue) => {
            const list = waiting.get(queue.id) ?? [];
            return (
              <article key={queue.id} className="dsp-wr__queue" aria-labelledby={`q-${queue.id}`}>
                <header className="dsp-wr__queue-head">
                  <span className="dsp-wr__prefix" aria-hidden="true">{queue.prefix}</span>
                  <h3 id={`q-${queue.id}`} className="dsp-wr__queue-name" dir="auto">{queue.name}</h3>
                  <span className="dsp-wr__count">{queue.status === 'open' ? t('waitingCount', { n: list.length }) : t('queueClosed')}</span>
                </header>
                {list.length === 0
                  ? <p className="dsp-muted dsp-wr__none">{t('noneWaiting')}</p>
                  : (
                    <ol className="dsp-wr__list">
                      {list.slice(0, ROWS_PER_QUEUE).map((entry) => (
                        <li key={entry.ticket_id} className="dsp-wr__row" data-ticket={entry.number}>
                          <bdi className="dsp-wr__row-number">{entry.number}</bdi>
                          <span className="dsp-wr__eta">{entry.eta_seconds !== null && entry.eta_seconds < 60 ? t('soon') : t('etaAbout', { eta: formatMinutes(entry.eta_seconds) })}</span>
                        </li>
                      ))}
                    </ol>
                  )}
                {list.length > ROWS_PER_QUEUE && <p className="dsp-muted dsp-wr__more">{t('moreWaiting', { n: list.length - ROWS_PER_QUEUE })}</p>}
              </article>
            );
          })}
        </div>
      </section>
    </div>
  );
}
