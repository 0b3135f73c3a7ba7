import { describe, expect, it } from 'vitest';
import { consentedRecipients, minutesUntilQuietEnds, staleReason } from '../../../branch-server/domain/notification-rules.ts';
import { SecretBox } from '../../../branch-server/notifications/secret-box.ts';
import { encodeSubmitPdus } from '../../../branch-server/notifications/sms-pdu.ts';
import { decodeSubmit } from '../../helpers/fake-gsm-modem.ts';

const customer = (over: Partial<Parameters<typeof consentedRecipients>[0]['customer'] & object> = {}) => ({
  phone: '+221770000001', email: 'awa@example.sn', notify_sms: 0 as const, notify_email: 0 as const, notify_whatsapp: 0 as const,
  consents: {}, metadata: {}, ...over,
});

describe('consent', () => {
  it('texts the phone typed for a ticket without a customer record, and nobody without one', () => {
    expect(consentedRecipients({ customer: null, ticketPhone: ' +221771234567 ' })).toEqual([{ channel: 'sms', to: '+221771234567' }]);
    expect(consentedRecipients({ customer: null, ticketPhone: '' })).toEqual([]);
  });

  it('follows a customer\'s notify flags, lets an explicit consent withdrawal win, and needs an opt-in and a token for push', () => {
    expect(consentedRecipients({ customer: customer(), ticketPhone: '+221779999999' })).toEqual([]);
    expect(consentedRecipients({ customer: customer({ notify_sms: 1, notify_email: 1, notify_whatsapp: 1 }), ticketPhone: '' }).map((r) => r.channel))
      .toEqual(['sms', 'whatsapp', 'email']);
    expect(consentedRecipients({ customer: customer({ notify_sms: 1, notify_email: 1, consents: { sms: false } }), ticketPhone: '' }))
      .toEqual([{ channel: 'email', to: 'awa@example.sn' }]);
    expect(consentedRecipients({ customer: customer({ metadata: { push_token: 'tok' } }), ticketPhone: '' })).toEqual([]);
    expect(consentedRecipients({ customer: customer({ consents: { push: true }, metadata: { push_token: 'tok' } }), ticketPhone: '' }))
      .toEqual([{ channel: 'push', to: 'tok' }]);
  });
});

describe('quiet hours', () => {
  it('counts the minutes left inside a window, across midnight too, and nothing outside or without one', () => {
    expect(minutesUntilQuietEnds(22 * 60, { startMinute: 21 * 60, endMinute: 8 * 60 })).toBe(10 * 60);
    expect(minutesUntilQuietEnds(7 * 60 + 30, { startMinute: 21 * 60, endMinute: 8 * 60 })).toBe(30);
    expect(minutesUntilQuietEnds(8 * 60, { startMinute: 21 * 60, endMinute: 8 * 60 })).toBe(0);
    expect(minutesUntilQuietEnds(12 * 60 + 15, { startMinute: 12 * 60, endMinute: 14 * 60 })).toBe(105);
    expect(minutesUntilQuietEnds(15 * 60, { startMinute: 12 * 60, endMinute: 14 * 60 })).toBe(0);
    expect(minutesUntilQuietEnds(3 * 60, { startMinute: 600, endMinute: 600 })).toBe(0);
    expect(minutesUntilQuietEnds(3 * 60, null)).toBe(0);
  });
});

describe('staleness', () => {
  const waiting = { status: 'en_attente', recallCount: 0, endedAt: null };
  it('sends a queue message only while the ticket is in the state it speaks of, and not too late', () => {
    expect(staleReason({ kind: 'ticket_waiting' }, { ticket: waiting }, 0, 60_000, 900_000)).toBeNull();
    expect(staleReason({ kind: 'ticket_waiting' }, { ticket: waiting }, 0, 901_000, 900_000)).toBe('stale: queued 15 min ago');
    expect(staleReason({ kind: 'ticket_waiting' }, { ticket: { ...waiting, status: 'appele' } }, 0, 1, 900_000)).toMatch(/no longer waiting/);
    const called = { status: 'appele', recallCount: 1, endedAt: null };
    expect(staleReason({ kind: 'ticket_called', recallCount: 1 }, { ticket: called }, 0, 1, 900_000)).toBeNull();
    // The first call's "your turn" is stale once the ticket was recalled: the recall sends its own.
    expect(staleReason({ kind: 'ticket_called', recallCount: 0 }, { ticket: called }, 0, 1, 900_000)).toMatch(/call is over/);
  });

  it('drops a reminder once the appointment started or is no longer scheduled', () => {
    expect(staleReason({ kind: 'appointment_upcoming' }, { appointment: { status: 'scheduled', startsAt: 10_000 } }, 0, 9_000, 1)).toBeNull();
    expect(staleReason({ kind: 'appointment_upcoming' }, { appointment: { status: 'scheduled', startsAt: 10_000 } }, 0, 10_000, 1)).toMatch(/started/);
    expect(staleReason({ kind: 'appointment_upcoming' }, { appointment: { status: 'checked_in', startsAt: 10_000 } }, 0, 1, 1)).toMatch(/checked_in/);
  });
});

describe('SMS PDUs for the GSM modem', () => {
  it('encodes a short text as one UCS-2 SMS-SUBMIT to an international number', () => {
    const [pdu, ...rest] = encodeSubmitPdus('+221771234567', 'Ticket A012 : guichet 2', 7);
    expect(rest).toEqual([]);
    expect(pdu!.hex.startsWith('00')).toBe(true);
    expect(pdu!.tpduLength).toBe(pdu!.hex.length / 2 - 1);
    // Destination: 12 digits, type 91, semi-octets swapped.
    expect(pdu!.hex.slice(2, 22)).toBe('01000C91227117325476');
    expect(decodeSubmit(pdu!.hex.slice(2))).toEqual({ to: '+221771234567', text: 'Ticket A012 : guichet 2', ref: null, total: 1, seq: 1 });
  });

  it('splits a long Arabic and French text into concatenated parts that reassemble exactly', () => {
    const text = `${'التذكرة A012 إلى الشباك 2. '.repeat(4)}Présentez-vous, s'il vous plaît — merci !`;
    const pdus = encodeSubmitPdus('771234567', text, 200);
    expect(pdus.length).toBe(Math.ceil(text.length / 67));
    const parts = pdus.map((p) => decodeSubmit(p.hex.slice(2)));
    expect(parts.every((p) => p.ref === 200 && p.total === pdus.length && p.to === '771234567')).toBe(true);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(pdus.every((p) => p.tpduLength <= 140 + 13)).toBe(true);
  });

  it('refuses what is not a phone number', () => {
    expect(() => encodeSubmitPdus('call me', 'x', 1)).toThrow(/not a phone number/);
  });
});

describe('credentials at rest', () => {
  const box = new SecretBox(Buffer.alloc(32, 7));
  it('opens what it sealed for the same row only, and detects tampering', () => {
    const sealed = box.seal('{"auth_token":"secret"}', 'row-1');
    expect(sealed.includes(Buffer.from('secret'))).toBe(false);
    expect(box.open(sealed, 'row-1')).toBe('{"auth_token":"secret"}');
    expect(() => box.open(sealed, 'row-2')).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => box.open(tampered, 'row-1')).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 8)).open(sealed, 'row-1')).toThrow();
  });
});
