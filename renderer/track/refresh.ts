/**
 * How soon the tracking page reads its ticket again when it has no live channel (the page reached
 * through the cloud has none; on the LAN the link may drop): often when the turn is near, rarely
 * when it is far, never once the visit is over. Null: stop.
 */
export function refreshDelayMs(ticket: Readonly<{ status: string; position: number | null }> | null): number | null {
  if (ticket === null) return 10_000;
  switch (ticket.status) {
    case 'en_attente':
      if (ticket.position !== null && ticket.position <= 3) return 5_000;
      return ticket.position !== null && ticket.position <= 10 ? 10_000 : 20_000;
    case 'appele':
    case 'en_service':
    case 'pause':
      return 10_000;
    default:
      return null; // closed or no-show: nothing more will change
  }
}
