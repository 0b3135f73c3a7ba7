import { describe, expect, it } from 'vitest';
import {
  applyCalled, applyConnection, applyQueueMessage, applyUpdated, callKey, counterBoard, forCounter, parseLanguages, parseLayout,
  type Call, type CalledMessage, type Connection,
} from '../../../../renderer/display/display-model.ts';

const call = (number: string, counter: string, extra: Partial<Call> = {}): Call => ({
  ticket_id: `id-${number}`, number, status: 'appele', counter, queue_id: 'q', queue_name: 'Retrait', recall_count: 0, called_at: null, ...extra,
});
const called = (c: Call, seq = 1): CalledMessage => ({ ...c, type: 'ticket_called', seq, event: c.recall_count > 0 ? 'ticket.recalled' : 'ticket.called', waiting_count: 2 });
const connection = (calls: Call[], layout: unknown = {}): Connection => ({
  type: 'connection', seq: 0,
  display: { id: 'd', name: 'Hall', type: 'main', queue_ids: ['q'], languages: ['ar', 'xx', 'fr'], layout, theme: {} },
  queues: [{ id: 'q', name: 'Retrait', prefix: 'B', status: 'open', waiting_count: 5 }],
  recent_calls: calls,
});

describe('display state', () => {
  it('puts a call at the top, once per ticket, and follows the waiting count of its queue', () => {
    let state = applyConnection(connection([call('B001', 'Guichet 1')]));
    state = applyCalled(state, called(call('B002', 'Guichet 2')));
    state = applyCalled(state, called(call('B001', 'Guichet 1', { recall_count: 1 }), 2));
    expect(state.calls.map((c) => [c.number, c.recall_count])).toEqual([['B001', 1], ['B002', 0]]);
    expect(state.queues[0]!.waiting_count).toBe(2);
  });

  it('keeps a served or closed ticket in place, with its new status', () => {
    let state = applyConnection(connection([call('B002', 'Guichet 2'), call('B001', 'Guichet 1')]));
    state = applyUpdated(state, { ...call('B001', 'Guichet 1', { status: 'clos' }), type: 'ticket_updated', seq: 1, event: 'ticket.closed', waiting_count: 4 });
    expect(state.calls.map((c) => [c.number, c.status])).toEqual([['B002', 'appele'], ['B001', 'clos']]);
  });

  it('tells a recall from a duplicate of the same call', () => {
    expect(callKey(call('A1', 'x'))).toBe(callKey(call('A1', 'x')));
    expect(callKey(call('A1', 'x', { recall_count: 1 }))).not.toBe(callKey(call('A1', 'x')));
  });

  it('shows each counter with the ticket it holds now, and free once that ticket is done', () => {
    const board = counterBoard([
      call('A3', 'Guichet 10', { status: 'en_service' }), call('A2', 'Guichet 2', { status: 'clos' }), call('A1', 'Guichet 2'),
    ]);
    expect(board.map((b) => [b.counter, b.call?.number ?? null])).toEqual([['Guichet 2', null], ['Guichet 10', 'A3']]);
  });

  it('keeps only its counter on a counter screen, whatever the case of the label', () => {
    const calls = [call('A1', 'Guichet 1'), call('A2', 'guichet 2 '), call('A3', 'Guichet 2')];
    expect(forCounter(calls, 'Guichet 2').map((c) => c.number)).toEqual(['A2', 'A3']);
    expect(forCounter(calls, null)).toHaveLength(3);
  });

  it('reads layout and languages defensively: bad values fall back, never break the screen', () => {
    expect(parseLayout({ recent_count: 99, counter: '  ', sound: false, title: 7 })).toEqual({ recentCount: 10, counter: null, title: null, showClock: true, sound: false });
    expect(parseLayout('nonsense')).toMatchObject({ recentCount: 5, sound: true });
    expect(parseLanguages(['ar', 'xx', 'fr', 'ar'])).toEqual(['ar', 'fr']);
    expect(parseLanguages([])).toEqual(['fr']);
    expect(applyConnection(connection([])).languages).toEqual(['ar', 'fr']);
  });
});

describe('waiting-room lists', () => {
  const ticket = (id: string, number: string, status: string, position: number | null) => ({ id, number, status, position, eta_seconds: 60 }) as never;

  it('builds the list from a snapshot, follows ETA updates, adds new tickets and drops called ones', () => {
    let list = applyQueueMessage([], {
      event: 'queue.snapshot', seq: 0, queue_id: 'q', queue_name: 'Retrait', queue_status: 'open',
      tickets: [ticket('2', 'B002', 'en_attente', 2), ticket('1', 'B001', 'en_attente', 1), ticket('0', 'B000', 'appele', null)],
    });
    expect(list.map((e) => e.number)).toEqual(['B001', 'B002']);
    list = applyQueueMessage(list, { event: 'ticket.created', seq: 1, queue_id: 'q', ticket_id: '3', number: 'B003', status: 'en_attente', counter: '', ticket: ticket('3', 'B003', 'en_attente', 3) });
    list = applyQueueMessage(list, { event: 'ticket.called', seq: 2, queue_id: 'q', ticket_id: '1', number: 'B001', status: 'appele', counter: 'Guichet 1', ticket: ticket('1', 'B001', 'appele', null) });
    expect(list.map((e) => e.number)).toEqual(['B002', 'B003']);
    list = applyQueueMessage(list, {
      event: 'queue.etas', seq: 3, queue_id: 'q',
      waiting: [{ ticket_id: '3', public_id: '', number: 'B003', position: 2, eta_seconds: 600, eta_p90_seconds: 900 }, { ticket_id: '2', public_id: '', number: 'B002', position: 1, eta_seconds: 300, eta_p90_seconds: 400 }],
    });
    expect(list).toEqual([
      { ticket_id: '2', number: 'B002', position: 1, eta_seconds: 300 },
      { ticket_id: '3', number: 'B003', position: 2, eta_seconds: 600 },
    ]);
  });
});
