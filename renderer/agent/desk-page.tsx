import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../shared/i18n.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { Banner, Button, Spinner } from '../shared/ui.tsx';
import { CustomerCard } from './customer-card.tsx';
import { useDesk, type AgentStatus, type Explanation, type Ticket } from './desk-state.ts';
import { CounterForm, Modal, PauseDialog, ShortcutHelp, TransferDialog } from './dialogs.tsx';
import { errorMessage } from './errors.ts';
import type { AgentKey } from './i18n.ts';
import { GatePanel } from './login-page.tsx';
import { scopesOf, sessions, type Session } from './session.ts';
import { SHORTCUTS, useShortcuts, type ShortcutId } from './shortcuts.ts';
import { HeldTickets, TicketPanel, type ActionId, type TicketActionDef } from './ticket-panel.tsx';
import { ScannedTicketDialog } from './scanned-ticket.tsx';
import { WaitingList } from './waiting-list.tsx';

type Notice = Readonly<{ tone: 'ok' | 'danger'; text: string; id: number }>;
type DialogKind = 'transfer' | 'pause' | 'counter' | 'help' | null;

const TICKET_ROUTES = {
  recall: 'recallTicket',
  start: 'startService',
  close: 'closeTicket',
  noShow: 'markNoShow',
  pause: 'pauseTicket',
} as const;

const NOTICE_KEYS = {
  recall: 'notice_recalled',
  start: 'notice_started',
  close: 'notice_closed',
  noShow: 'notice_noShow',
  pause: 'notice_paused',
} as const;

/** The status to send when only the counter changes, or when coming back from a break. */
function workingStatus(status: AgentStatus | null, holding: boolean): 'available' | 'busy' | 'paused' {
  if (status?.status === 'paused') return 'paused';
  return holding ? 'busy' : 'available';
}

export function DeskPage({ session }: Readonly<{ session: Session }>) {
  const { t } = useI18n<AgentKey>();
  const desk = useDesk(session);
  const { load, status, current, held, waiting, queues } = desk;
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState(false);
  const busyRef = useRef(false);
  const [dialog, setDialog] = useState<DialogKind>(null);
  const [queueFilter, setQueueFilter] = useState('');
  const canWriteCustomer = scopesOf(session).includes('write:customer');

  const say = useCallback((tone: Notice['tone'], text: string) => setNotice({ tone, text, id: Date.now() }), []);
  useEffect(() => {
    if (notice?.tone !== 'ok') return;
    const timer = setTimeout(() => setNotice((n) => (n === notice ? null : n)), 6000);
    return () => clearTimeout(timer);
  }, [notice]);

  /**
   * Runs one API action at a time; the answer updates the desk at once, the ws confirms it. A key
   * pressed while one is in flight is not lost: the ws often shows the called ticket before the
   * call's own answer is read, and an agent who then presses P at once means it. The last such
   * action runs when the current one ends; the same action pressed twice (a double tap) runs once.
   */
  const queued = useRef<(() => void) | null>(null);
  const inFlight = useRef<string | null>(null);
  const run = useCallback(async <T,>(kind: string, action: () => Promise<T>, done: (result: T) => string | null): Promise<boolean> => {
    if (busyRef.current) {
      if (kind !== inFlight.current) queued.current = () => void run(kind, action, done);
      return false;
    }
    busyRef.current = true;
    inFlight.current = kind;
    setBusy(true);
    try {
      const result = await action();
      const text = done(result);
      setNotice(text ? { tone: 'ok', text, id: Date.now() } : null);
      return true;
    } catch (error) {
      queued.current = null; // what was pressed next assumed this succeeded
      setNotice({ tone: 'danger', text: errorMessage(t, error), id: Date.now() });
      return false;
    } finally {
      busyRef.current = false;
      inFlight.current = null;
      setBusy(false);
      const next = queued.current;
      queued.current = null;
      next?.();
    }
  }, [t]);

  // After a reload the explanation of the current call comes from the ticket's history.
  const currentId = current?.id ?? null;
  const hasExplanation = currentId !== null && desk.explanations.has(currentId);
  const { explain } = desk;
  useEffect(() => {
    if (!currentId || hasExplanation) return;
    let cancelled = false;
    sessions.call('ticketEvents', { params: { id: currentId } }).then((events) => {
      const called = [...events].reverse().find((e) => e.type === 'ticket.called' && e.explanation);
      if (!cancelled && called) explain(currentId, called.explanation as Explanation);
    }).catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [currentId, hasExplanation, explain]);

  const counter = status?.counter ?? (load.kind === 'ready' ? load.profile.counter : '');
  useEffect(() => {
    document.title = counter ? `${counter} — ${t('appTitle')} — SmartQueue` : `${t('appTitle')} — SmartQueue`;
  }, [counter, t]);

  const callNext = () => run('callNext',
    () => sessions.call('callNext', { body: queueFilter ? { queue_id: queueFilter } : {} }),
    (ticket) => {
      desk.upsert(ticket);
      if (ticket.explanation) desk.explain(ticket.id, ticket.explanation as Explanation);
      return t('notice_called', { number: ticket.number, counter: ticket.counter });
    },
  );

  const act = (id: ActionId) => {
    if (id === 'transfer') {
      if (current ?? held[0]) setDialog('transfer');
      else say('danger', t('err_no_ticket'));
      return;
    }
    if (id === 'pause' && !current && held[0]) {
      resume(held[0]);
      return;
    }
    if (!current) {
      say('danger', t('err_no_ticket'));
      return;
    }
    const ticket = current;
    void run(id, () => sessions.call(TICKET_ROUTES[id], { params: { id: ticket.id } }), (updated) => {
      desk.upsert(updated);
      return t(NOTICE_KEYS[id], { number: updated.number });
    });
  };

  const resume = (ticket: Ticket) => void run('resume', () => sessions.call('resumeTicket', { params: { id: ticket.id } }), (updated) => {
    desk.upsert(updated);
    return t('notice_resumed', { number: updated.number });
  });

  const transfer = (targetQueueId: string, reason: string) => {
    const ticket = current ?? held[0];
    if (!ticket) return Promise.resolve(false);
    return run('transfer', () => sessions.call('transferTicket', { params: { id: ticket.id }, body: { target_queue_id: targetQueueId, reason } }), (moved) => {
      desk.upsert({ ...ticket, status: 'transfere' });
      desk.upsert(moved);
      return t('notice_transferred', { number: ticket.number, queue: moved.queue_name });
    });
  };

  const setAgentStatus = (next: 'available' | 'busy' | 'paused', reason?: string, newCounter?: string) => run('status',
    () => sessions.call('setAgentStatus', { body: { status: next, ...(reason ? { reason } : {}), ...(newCounter ? { counter: newCounter } : {}) } }),
    (payload) => {
      desk.setStatus(payload);
      if (newCounter) return t('notice_counter', { counter: payload.counter });
      // The break banner says it already; coming back deserves a word.
      return payload.status === 'paused' ? null : t('notice_statusAvailable');
    },
  );

  const toggleBreak = () => {
    if (status?.status === 'paused') void setAgentStatus(current ? 'busy' : 'available');
    else setDialog('pause');
  };

  const actionDefs: TicketActionDef[] = [
    { id: 'recall', label: t('action_recall'), enabled: current?.status === 'appele', tone: 'secondary' },
    { id: 'start', label: t('action_start'), enabled: current?.status === 'appele', tone: 'primary' },
    { id: 'close', label: t('action_close'), enabled: current !== null, tone: 'primary' },
    { id: 'transfer', label: t('action_transfer'), enabled: current !== null || held.length > 0, tone: 'secondary' },
    current || held.length === 0
      ? { id: 'pause', label: t('action_pause'), enabled: current !== null, tone: 'secondary' }
      : { id: 'pause', label: t('action_resume'), enabled: true, tone: 'secondary' },
    { id: 'noShow', label: t('action_noShow'), enabled: current?.status === 'appele', tone: 'danger' },
  ];

  const ready = load.kind === 'ready' && !session.needsSetup;
  useShortcuts(ready ? {
    callNext: () => void callNext(),
    recall: () => act('recall'),
    start: () => act('start'),
    close: () => act('close'),
    transfer: () => act('transfer'),
    pause: () => act('pause'),
    noShow: () => act('noShow'),
    break: toggleBreak,
    help: () => setDialog('help'),
  } : {});

  if (load.kind === 'loading') {
    return <GatePanel title={t('appTitle')} signedIn><div className="desk-center"><Spinner label={t('loading')} /></div></GatePanel>;
  }
  if (load.kind === 'no-profile' || load.kind === 'error') {
    return (
      <GatePanel title={t('appTitle')} signedIn>
        <Banner tone={load.kind === 'no-profile' ? 'warn' : 'danger'}>
          {load.kind === 'no-profile' ? t('noAgentProfile') : errorMessage(t, load.error)}
        </Banner>
        <div className="desk-gate__actions">
          {load.kind === 'error' && <Button tone="secondary" onClick={() => void desk.reload()}>{t('retry')}</Button>}
          {session.user.memberships.length > 1 && <Button tone="secondary" onClick={() => sessions.chooseTenant(null)}>{t('switchTenant')}</Button>}
        </div>
      </GatePanel>
    );
  }
  const profile = load.profile;

  if (session.needsSetup) {
    return (
      <GatePanel title={t('setupTitle')} intro={t('setupIntro')} signedIn>
        {notice?.tone === 'danger' && <Banner>{notice.text}</Banner>}
        <CounterForm counter={counter} queues={queues} servedIds={profile.queue_ids} submitLabel={t('openCounter')}
          onSubmit={async (value) => {
            const done = await setAgentStatus(current ? 'busy' : 'available', undefined, value);
            if (done) {
              setNotice(null);
              sessions.setupDone();
            }
            return done;
          }} />
      </GatePanel>
    );
  }

  const served = queues.filter((q) => profile.queue_ids.includes(q.id));
  const waitingIn = (queueId: string) => waiting.filter((w) => w.queue === queueId).length;
  const kbd = (id: ShortcutId) => <kbd aria-hidden="true">{SHORTCUTS[id].label}</kbd>;
  const userName = `${session.user.first_name} ${session.user.last_name}`.trim() || session.user.email;
  const paused = status?.status === 'paused';
  const shortcutLabels: Record<ShortcutId, string> = {
    callNext: t('callNext'), recall: t('action_recall'), start: t('action_start'), close: t('action_close'),
    transfer: t('action_transfer'), pause: `${t('action_pause')} / ${t('action_resume')}`, noShow: t('action_noShow'),
    break: t('sc_break'), help: t('sc_help'),
  };

  return (
    <div className="desk">
      <header className="desk-top">
        <p className="desk-brand" title={t('appTitle')}>
          <span className="desk-brand__mark" aria-hidden="true">SQ</span>
          <span>SmartQueue</span>
        </p>
        <button type="button" className="desk-top__counter" onClick={() => setDialog('counter')} data-testid="counter-button"
          aria-label={t('counterButton', { counter })}>
          <span>{counter}</span><span className="desk-top__edit" aria-hidden="true">✎</span>
        </button>
        <div className="desk-top__status" aria-label={t('agentStatus')} role="group">
          <span className={`desk-status desk-status--${status?.status ?? 'offline'}`} data-testid="agent-status">
            {t(`status_${status?.status ?? 'offline'}`)}
          </span>
          <button type="button" className="sq-btn sq-btn--ghost desk-top__break" aria-keyshortcuts="B" onClick={toggleBreak} disabled={busy}>
            <span>{paused ? t('backToWork') : t('takeBreak')}</span>{kbd('break')}
          </button>
        </div>
        <span className={`desk-live desk-live--${desk.live}`} role="status">{t(`live_${desk.live}`)}</span>
        <div className="desk-top__end">
          <button type="button" className="sq-btn sq-btn--ghost desk-top__help" aria-keyshortcuts="?" aria-label={t('shortcutsTitle')}
            title={t('shortcutsTitle')} onClick={() => setDialog('help')}>
            <kbd aria-hidden="true">{SHORTCUTS.help.label}</kbd>
          </button>
          <LanguageSwitch label={t('language')} />
          <span className="desk-top__user" title={t('signedInAs', { name: session.user.email })}>{userName}</span>
          <Button tone="ghost" className="desk-top__logout" onClick={() => void sessions.logout()}>{t('logout')}</Button>
        </div>
      </header>

      <main className="desk-main">
        <h1 className="sq-visually-hidden">{t('appTitle')} — {counter}</h1>
        <div className="desk-col desk-col--work">
          <div className="desk-notices">
            {paused && (
              <div className="sq-banner sq-banner--warn desk-paused" role="status">
                <span>{t('status_paused')}{status?.status_reason ? ` — ${t('pausedReason', { reason: status.status_reason })}` : ''}</span>
                <Button tone="secondary" onClick={toggleBreak} disabled={busy}>{t('backToWork')}</Button>
              </div>
            )}
            {desk.printerAlerts.map((alert) => (
              <div key={alert.printer_id} className={`sq-banner sq-banner--${alert.blocking ? 'danger' : 'warn'} desk-notice`}
                role={alert.blocking ? 'alert' : 'status'} data-testid="printer-alert" data-condition={alert.condition}>
                <span>
                  {t('printerAlert', { printer: alert.printer_name, condition: t(`printer_${alert.condition === 'recovered' ? 'status-unknown' : alert.condition}`) })}
                  {alert.blocking && alert.ticket_number ? ` ${t('printerTicketOnScreen', { number: alert.ticket_number })}` : ''}
                </span>
                <button type="button" className="desk-notice__x" aria-label={t('dismiss')} onClick={() => desk.dismissPrinterAlert(alert.printer_id)}>×</button>
              </div>
            ))}
            {notice && (
              <div className={`sq-banner sq-banner--${notice.tone} desk-notice`} role={notice.tone === 'danger' ? 'alert' : 'status'} data-testid="notice">
                <span>{notice.text}</span>
                <button type="button" className="desk-notice__x" aria-label={t('dismiss')} onClick={() => setNotice(null)}>×</button>
              </div>
            )}
          </div>
          <section className="desk-call" aria-label={t('callNext')}>
            <button type="button" className={`desk-call__btn${current ? ' is-secondary' : ''}`} aria-keyshortcuts="N"
              data-action="callNext" disabled={busy} onClick={() => void callNext()}>
              <span>{t('callNext')}</span>{kbd('callNext')}
            </button>
            {served.length > 1 && (
              <div className="sq-field desk-call__filter">
                <label htmlFor="call-filter">{t('callFrom')}</label>
                <select id="call-filter" value={queueFilter} onChange={(e) => setQueueFilter(e.target.value)}>
                  <option value="">{t('waitingInQueue', { name: t('allMyQueues'), n: waiting.length })}</option>
                  {served.map((q) => <option key={q.id} value={q.id}>{t('waitingInQueue', { name: `${q.prefix} · ${q.name}`, n: waitingIn(q.id) })}</option>)}
                </select>
              </div>
            )}
          </section>
          <TicketPanel ticket={current} explanation={current ? desk.explanations.get(current.id) : undefined}
            actions={actionDefs} busy={busy} onRun={act} />
          <HeldTickets tickets={held} busy={busy} disabled={current !== null} onResume={resume} />
        </div>
        <div className="desk-col desk-col--customer">
          <CustomerCard ticket={current} canWrite={canWriteCustomer} onError={(text) => say('danger', text)}
            onSaved={() => say('ok', t('notice_notesSaved'))} />
        </div>
        <div className="desk-col desk-col--waiting">
          <WaitingList tickets={waiting} />
        </div>
      </main>

      {dialog === 'transfer' && (current ?? held[0]) && (
        <TransferDialog ticket={(current ?? held[0])!} queues={queues} onClose={() => setDialog(null)} onTransfer={transfer} />
      )}
      {dialog === 'pause' && <PauseDialog onClose={() => setDialog(null)} onPause={(reason) => setAgentStatus('paused', reason)} />}
      {dialog === 'counter' && (
        <CounterDialog counter={counter} queues={queues} servedIds={profile.queue_ids} onClose={() => setDialog(null)}
          onSave={(value) => setAgentStatus(workingStatus(status, current !== null), status?.status === 'paused' ? status.status_reason : undefined, value)} />
      )}
      {dialog === 'help' && <ShortcutHelp labels={shortcutLabels} onClose={() => setDialog(null)} />}
      {desk.scanned && dialog === null && (
        <ScannedTicketDialog key={desk.scanned.at} scanned={desk.scanned} canWriteCustomer={canWriteCustomer} onClose={desk.dismissScanned}
          onError={(text) => say('danger', text)} onSaved={() => say('ok', t('notice_notesSaved'))} />
      )}
    </div>
  );
}

function CounterDialog({ counter, queues, servedIds, onClose, onSave }: Readonly<{
  counter: string; queues: Parameters<typeof CounterForm>[0]['queues']; servedIds: readonly string[];
  onClose: () => void; onSave: (counter: string) => Promise<boolean>;
}>) {
  const { t } = useI18n<AgentKey>();
  return (
    <Modal title={t('setupTitle')} onClose={onClose}>
      <CounterForm counter={counter} queues={queues} servedIds={servedIds} submitLabel={t('saveCounter')} onCancel={onClose}
        onSubmit={async (value) => {
          const done = await onSave(value);
          if (done) onClose();
          return done;
        }} />
    </Modal>
  );
}
