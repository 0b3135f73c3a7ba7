/**
 * Who gets which message, and when a waiting message is no longer worth sending. Pure: the ticket,
 * the customer and the time are passed in.
 */
export type MessageChannel = 'sms' | 'whatsapp' | 'email' | 'push';

/** The messages the branch sends; each is a template key. */
export const MESSAGE_KINDS = [
  'ticket_created', 'ticket_ahead', 'ticket_called', 'ticket_recalled', 'feedback_request', 'appointment_reminder_24h', 'appointment_reminder_1h',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export type ConsentSource = Readonly<{
  customer: Readonly<{
    phone: string; email: string; notify_sms: 0 | 1; notify_email: 0 | 1; notify_whatsapp: 0 | 1;
    /** GDPR consents as stored (JSON object): `{"sms": false}` withdraws what a notify flag says. */
    consents: Readonly<Record<string, unknown>>;
    metadata: Readonly<Record<string, unknown>>;
  }> | null;
  /** A phone typed at the kiosk or given with the ticket: asking for SMS there is consent to SMS for this ticket. */
  ticketPhone: string;
}>;

export type Recipient = Readonly<{ channel: MessageChannel; to: string }>;

/**
 * The channels a customer agreed to be contacted on, with the address for each. A customer's
 * `notify_<channel>` flag is the consent, and an explicit `consents.<channel> === false` withdraws
 * it; push needs `consents.push === true` and a registration token in `metadata.push_token`.
 * Without a customer record, the phone given for the ticket gets SMS.
 */
export function consentedRecipients(source: ConsentSource): Recipient[] {
  const { customer, ticketPhone } = source;
  const out: Recipient[] = [];
  if (!customer) {
    if (ticketPhone.trim() !== '') out.push({ channel: 'sms', to: ticketPhone.trim() });
    return out;
  }
  const withdrawn = (channel: string) => customer.consents[channel] === false;
  const phone = customer.phone.trim() || ticketPhone.trim();
  if (customer.notify_sms === 1 && !withdrawn('sms') && phone) out.push({ channel: 'sms', to: phone });
  if (customer.notify_whatsapp === 1 && !withdrawn('whatsapp') && phone) out.push({ channel: 'whatsapp', to: phone });
  if (customer.notify_email === 1 && !withdrawn('email') && customer.email.trim()) out.push({ channel: 'email', to: customer.email.trim() });
  const token = customer.metadata['push_token'];
  if (customer.consents['push'] === true && typeof token === 'string' && token.trim()) out.push({ channel: 'push', to: token.trim() });
  return out;
}

export type QuietHours = Readonly<{ startMinute: number; endMinute: number }>;

/**
 * Minutes until the quiet hours end, 0 outside them. `start > end` spans midnight (21:00–08:00);
 * `start === end` means no quiet hours.
 */
export function minutesUntilQuietEnds(localMinute: number, quiet: QuietHours | null): number {
  if (!quiet || quiet.startMinute === quiet.endMinute) return 0;
  const { startMinute: s, endMinute: e } = quiet;
  const inside = s < e ? localMinute >= s && localMinute < e : localMinute >= s || localMinute < e;
  if (!inside) return 0;
  return (e - localMinute + 1440) % 1440;
}

export type TicketState = Readonly<{ status: string; recallCount: number; endedAt: number | null }>;
export type AppointmentState = Readonly<{ status: string; startsAt: number }>;

/** What the message expected when it was queued: it is sent only while that still holds. */
export type Expectation =
  | Readonly<{ kind: 'ticket_waiting' }>
  | Readonly<{ kind: 'ticket_called'; recallCount: number }>
  | Readonly<{ kind: 'ticket_served' }>
  | Readonly<{ kind: 'appointment_upcoming' }>;

export const FEEDBACK_LINK_TTL_MS = 24 * 3600_000;

/**
 * Why a queued message must be dropped rather than sent late, or null to send it. A queue message
 * ("3 people ahead", "your turn") is only true while the ticket is still in that state, and only
 * useful within `staleAfterMs` of being queued; a feedback link lasts a day; a reminder is useless
 * once the appointment started or was cancelled.
 */
export function staleReason(
  expect: Expectation,
  state: Readonly<{ ticket?: TicketState | null; appointment?: AppointmentState | null }>,
  queuedAt: number,
  now: number,
  staleAfterMs: number,
): string | null {
  const age = now - queuedAt;
  switch (expect.kind) {
    case 'ticket_waiting':
      if (!state.ticket || state.ticket.status !== 'en_attente') return `stale: the ticket is no longer waiting (${state.ticket?.status ?? 'gone'})`;
      return age > staleAfterMs ? `stale: queued ${Math.round(age / 60_000)} min ago` : null;
    case 'ticket_called':
      if (!state.ticket || state.ticket.status !== 'appele' || state.ticket.recallCount !== expect.recallCount) {
        return `stale: the call is over (ticket ${state.ticket?.status ?? 'gone'})`;
      }
      return age > staleAfterMs ? `stale: queued ${Math.round(age / 60_000)} min ago` : null;
    case 'ticket_served':
      if (!state.ticket) return 'stale: the ticket is gone';
      return age > FEEDBACK_LINK_TTL_MS ? 'stale: the feedback link is more than a day old' : null;
    case 'appointment_upcoming':
      if (!state.appointment || state.appointment.status !== 'scheduled') return `stale: the appointment is ${state.appointment?.status ?? 'gone'}`;
      return now >= state.appointment.startsAt ? 'stale: the appointment has started' : null;
  }
}

/** The message a ticket event calls for (the "N ahead" message comes from positions, not events). */
export function messageForTicketEvent(type: string, data: Readonly<Record<string, unknown>>, fromStatus: string | null): MessageKind | null {
  switch (type) {
    case 'ticket.created':
      // A transfer makes a new ticket; the customer keeps the tracking link of the first one.
      return data['transferred_from'] ? null : 'ticket_created';
    case 'ticket.called':
      return 'ticket_called';
    case 'ticket.recalled':
      return 'ticket_recalled';
    case 'ticket.closed':
      return fromStatus === 'en_service' ? 'feedback_request' : null;
    default:
      return null;
  }
}

/** What must still hold when a message of this kind goes out; `recallCount` is the call's (0 for the first call). */
export function expectationFor(kind: MessageKind, recallCount: number): Expectation {
  switch (kind) {
    case 'ticket_created':
    case 'ticket_ahead':
      return { kind: 'ticket_waiting' };
    case 'ticket_called':
    case 'ticket_recalled':
      return { kind: 'ticket_called', recallCount };
    case 'feedback_request':
      return { kind: 'ticket_served' };
    case 'appointment_reminder_24h':
    case 'appointment_reminder_1h':
      return { kind: 'appointment_upcoming' };
  }
}
