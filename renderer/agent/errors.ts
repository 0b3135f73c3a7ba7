import { ApiError } from '../shared/api.ts';
import type { I18n } from '../shared/i18n.tsx';
import type { AgentKey } from './i18n.ts';

const TICKET_STATUSES = ['en_attente', 'appele', 'en_service', 'pause', 'transfere', 'clos', 'no_show'] as const;

export function ticketStatusLabel(t: I18n<AgentKey>['t'], status: string): string {
  return (TICKET_STATUSES as readonly string[]).includes(status) ? t(`ticketStatus_${status as (typeof TICKET_STATUSES)[number]}`) : status;
}

function detailOf(details: unknown): Record<string, unknown> {
  return details && typeof details === 'object' && !Array.isArray(details) ? details as Record<string, unknown> : {};
}

/** Seconds to wait from a 429 answer, if the server said. */
export function retryAfterOf(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 429) return null;
  const wait = detailOf(error.details)['retry_after'];
  return typeof wait === 'number' && wait > 0 ? Math.ceil(wait) : null;
}

/**
 * What to tell the agent, in their language, for an API refusal. The server's own sentence (English)
 * is only used inside a localized frame for codes this desk does not expect.
 */
export function errorMessage(t: I18n<AgentKey>['t'], error: unknown): string {
  if (!(error instanceof ApiError)) return t('err_network');
  const details = detailOf(error.details);
  switch (error.code) {
    case 'invalid-credentials':
      return t('err_invalid_credentials');
    case 'rate-limited':
      return t('err_rate_limited', { s: retryAfterOf(error) ?? 60 });
    case 'token-expired':
    case 'token-invalid':
    case 'token-revoked':
    case 'not-authenticated':
      return t('err_session');
    case 'agent-has-active-ticket':
      return t('err_agent_has_active_ticket', { number: String(details['number'] ?? '') });
    case 'no-ticket-waiting':
      return t('err_no_ticket_waiting');
    case 'illegal-transition':
      return t('err_illegal_transition', { status: ticketStatusLabel(t, String(details['from'] ?? '')) });
    case 'agent-not-available':
      return t('err_agent_not_available');
    case 'queue-not-in-skills':
      return t('err_queue_not_in_skills');
    case 'same-queue-transfer':
      return t('err_same_queue_transfer');
    case 'queue-closed':
      return t('err_queue_closed');
    case 'not-ticket-holder':
      return t('err_not_ticket_holder');
    case 'forbidden':
    case 'missing-scope':
    case 'not-a-member':
      return t('err_forbidden');
    case 'not-found':
      return t('err_not_found');
    case 'validation-failed':
    case 'invalid-reference':
      return t('err_validation', { detail: error.message });
    default:
      return t('err_generic', { detail: error.message });
  }
}
