import { useEffect, useState } from 'react';
import type { TicketDisplayAcksDto } from '../../branch-server/contract/display-acks.contract.ts';
import { useI18n } from '../shared/i18n.tsx';
import type { Ticket } from './desk-state.ts';
import type { AgentKey } from './i18n.ts';
import { sessions } from './session.ts';

/** How long a display may take to show and announce a call (chime and up to three languages) before the agent is warned. */
export const ACK_GRACE_MS = 15_000;
const POLL_MS = 1_500;

/**
 * Whether a screen showed (and spoke) the current call. Displays acknowledge each call they rendered
 * and played; if none did within a few seconds, the customer probably did not hear it, and the
 * agent is told so (recall, or call out to the waiting room).
 */
export function CallSeen({ ticket }: Readonly<{ ticket: Ticket }>) {
  const { t } = useI18n<AgentKey>();
  const [acks, setAcks] = useState<TicketDisplayAcksDto | null>(null);
  const [late, setLate] = useState(false);
  useEffect(() => {
    if (ticket.status !== 'appele') return undefined;
    let stopped = false;
    setAcks(null);
    setLate(false);
    const lateTimer = setTimeout(() => setLate(true), ACK_GRACE_MS);
    const poll = async () => {
      try {
        const found = await sessions.call('ticketDisplayAcks', { params: { id: ticket.id } });
        if (stopped) return;
        setAcks(found);
        if (found.shown && found.recall_count === ticket.recall_count) return;
      } catch {
        // The desk keeps working without this hint; try again on the next beat.
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    let timer = setTimeout(poll, 500);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(lateTimer);
    };
    // A recall is a new call: it must be acknowledged again.
  }, [ticket.id, ticket.recall_count, ticket.status]);

  if (ticket.status !== 'appele' || !acks || acks.displays.length === 0) return null;
  const current = acks.recall_count === ticket.recall_count;
  const seenBy = current ? acks.displays.filter((d) => d.acked_at !== null) : [];
  if (seenBy.length > 0) {
    const spoken = seenBy.some((d) => d.played);
    return (
      <p className="desk-callseen is-ok" role="status" data-testid="call-seen" data-state="shown">
        {t(spoken ? 'callShownSpoken' : 'callShownSilent', { screens: seenBy.map((d) => d.name).join(', ') })}
      </p>
    );
  }
  if (!late) return null;
  return (
    <p className="desk-callseen is-warn" role="alert" data-testid="call-seen" data-state="unseen">
      {t('callNotShown')}
    </p>
  );
}
