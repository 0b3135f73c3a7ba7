import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyCustomerEdit, duplicateKeys, joinCustomers, type CustomerState,
} from '../../../sync/protocol/customer-merge.ts';
import type { CustomerEdit } from '../../../sync/protocol/entities.ts';
import { formatHlc, observeHlc, tickHlc } from '../../../sync/protocol/hlc.ts';

const ID = '01900000-0000-7000-8000-000000000001';
const TENANT = '01900000-0000-7000-8000-0000000000aa';

type Write = Readonly<{ edit: CustomerEdit; origin: string; fromHq: boolean }>;

function write(origin: string, ms: number, values: CustomerEdit['values'], extra: Partial<CustomerEdit> = {}, fromHq = false): Write {
  return { origin, fromHq, edit: { id: ID, tenant_id: TENANT, created_at: 1000, values, hlc: formatHlc(ms, 0), deleted: false, ...extra } };
}

function replay(writes: readonly Write[]): CustomerState | null {
  let state: CustomerState | null = null;
  for (const w of writes) state = applyCustomerEdit(state, w.edit, w.origin, w.fromHq);
  return state;
}

const arbWrite: fc.Arbitrary<Write> = fc.record({
  origin: fc.constantFrom('branch-a', 'branch-b', 'branch-c', 'hq:1'),
  ms: fc.integer({ min: 1, max: 50 }),
  phone: fc.option(fc.constantFrom('+221700000001', '+221700000002', ''), { nil: undefined }),
  first: fc.option(fc.constantFrom('Awa', 'Moussa', 'Fatou'), { nil: undefined }),
  sms: fc.option(fc.constantFrom(0 as const, 1 as const), { nil: undefined }),
  deleted: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
}).map(({ origin, ms, phone, first, sms, deleted }) => {
  const values: CustomerEdit['values'] = {};
  if (phone !== undefined) values.phone = phone;
  if (first !== undefined) values.first_name = first;
  if (sms !== undefined) values.notify_sms = sms;
  return write(origin, ms, values, { deleted }, origin.startsWith('hq:'));
});

describe('customer merge', () => {
  it('gives the same customer for every arrival order of conflicting edits, and for replays', () => {
    fc.assert(
      fc.property(
        fc.array(arbWrite, { minLength: 1, maxLength: 8 })
          .chain((ws) => fc.tuple(fc.constant(ws), fc.shuffledSubarray(ws, { minLength: ws.length, maxLength: ws.length }))),
        ([writes, shuffled]) => {
          const expected = replay(writes);
          expect(replay(shuffled)).toEqual(expected);
          expect(replay([...writes].reverse())).toEqual(expected);
          expect(replay([...writes, ...writes.slice(0, 2)])).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps the later branch edit of a contact field', () => {
    const state = replay([write('branch-a', 10, { phone: '+221700000001' }), write('branch-b', 20, { phone: '+221700000002' })]);
    expect(state?.values.phone).toBe('+221700000002');
  });

  it('lets HQ win a name and a consent even against a later branch edit, but not a phone number', () => {
    const state = replay([
      write('hq:1', 10, { first_name: 'Awa', notify_sms: 1, phone: '+221700000001' }, {}, true),
      write('branch-a', 20, { first_name: 'Awaa', notify_sms: 0, phone: '+221700000002' }),
    ]);
    expect(state?.values).toMatchObject({ first_name: 'Awa', notify_sms: 1, phone: '+221700000002' });
  });

  it('lets two branches editing different fields both win', () => {
    const state = replay([write('branch-a', 10, { phone: '+221700000001' }), write('branch-b', 5, { email: 'awa@example.sn' })]);
    expect(state?.values).toMatchObject({ phone: '+221700000001', email: 'awa@example.sn' });
  });

  it('lets a delete beat any edit, earlier or later', () => {
    const state = replay([write('branch-a', 30, { phone: '+221700000001' }), write('branch-b', 10, {}, { deleted: true })]);
    expect(state?.deleted).not.toBeNull();
    expect(state?.values.phone).toBe('');
  });

  it('merges two duplicates the same way whichever is joined into which', () => {
    const a = replay([write('branch-a', 10, { phone: '+221700000001', first_name: 'Awa' })])!;
    const b: CustomerState = { ...replay([write('branch-b', 20, { phone: '+221700000001', email: 'awa@example.sn' })])!, id: '01900000-0000-7000-8000-000000000002' };
    expect(joinCustomers(a, b, a.id)).toEqual(joinCustomers(b, a, a.id));
    expect(joinCustomers(a, b, a.id).values).toMatchObject({ first_name: 'Awa', email: 'awa@example.sn' });
  });

  it('recognises duplicates by normalised phone or e-mail', () => {
    expect(duplicateKeys({ phone: '+221 70 000 00 01', email: ' Awa@Example.SN ' })).toEqual(['phone:+221700000001', 'email:awa@example.sn']);
    expect(duplicateKeys({ phone: '12', email: 'nope' })).toEqual([]);
  });
});

describe('hybrid logical clock', () => {
  it('never runs backwards when the wall clock does, and catches up with stamps it receives', () => {
    const a = tickHlc(formatHlc(0, 0), 5_000);
    const b = tickHlc(a, 1_000); // wall clock went back to 2016-like values
    expect(b > a).toBe(true);
    const seen = observeHlc(b, formatHlc(9_000, 3));
    expect(tickHlc(seen, 1_000) > formatHlc(9_000, 3)).toBe(true);
  });
});
