import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeWeight, pickWeighted } from '../../../branch-server/domain/weighted-round-robin.ts';
import { deepFreeze } from './queue-fixtures.ts';

describe('pickWeighted', () => {
  it('interleaves a 5:1:1 rotation the nginx way', () => {
    const entries = [{ key: 'a', weight: 5 }, { key: 'b', weight: 1 }, { key: 'c', weight: 1 }];
    let state: Record<string, number> = {};
    const picks: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const pick = pickWeighted(entries, state);
      picks.push(pick.chosen);
      state = pick.nextState;
    }
    expect(picks.join('')).toBe('aabacaa');
    expect(state).toEqual({ a: 0, b: 0, c: 0 });
  });

  it('breaks ties by the smallest key whatever the input order', () => {
    expect(pickWeighted([{ key: 'b', weight: 1 }, { key: 'a', weight: 1 }], {}).chosen).toBe('a');
  });

  it('charges a forced pick like a normal one', () => {
    const pick = pickWeighted([{ key: 'a', weight: 3 }, { key: 'b', weight: 1 }], {}, 'b');
    expect(pick.chosen).toBe('b');
    expect(pick.nextState).toEqual({ a: 3, b: -3 });
  });

  it('ignores a forced key that is not a participant', () => {
    expect(pickWeighted([{ key: 'a', weight: 1 }], {}, 'z').chosen).toBe('a');
  });

  it('keeps the state of absent keys and does not mutate the given state', () => {
    const state = deepFreeze({ a: 1, gone: 5 });
    const pick = pickWeighted([{ key: 'a', weight: 1 }, { key: 'b', weight: 1 }], state);
    expect(pick.nextState).toEqual({ a: 0, b: 1, gone: 5 });
    expect(state).toEqual({ a: 1, gone: 5 });
  });

  it('keeps the sum of the participants current weights constant', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 50 }), (weights, calls) => {
        const entries = weights.map((weight, i) => ({ key: `q${i}`, weight }));
        let state: Record<string, number> = {};
        for (let i = 0; i < calls; i += 1) state = pickWeighted(entries, state).nextState;
        expect(Object.values(state).reduce((a, b) => a + b, 0)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('throws when there is nothing to choose from', () => {
    expect(() => pickWeighted([], {})).toThrow(RangeError);
  });
});

describe('normalizeWeight', () => {
  it.each([
    [2, 2],
    [2.7, 2],
    [0, 1],
    [-3, 1],
    [Number.NaN, 1],
  ])('counts weight %s as %s', (weight, expected) => {
    expect(normalizeWeight(weight)).toBe(expected);
  });
});
