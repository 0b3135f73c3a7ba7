import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SERVICE_SECONDS,
  estimateEta,
  etaForQueue,
  ewma,
  percentile,
  type EtaModel,
} from '../../../branch-server/domain/eta.ts';
import { expectDomainError } from './expect-domain-error.ts';
import { ticketId } from './queue-fixtures.ts';

describe('ewma', () => {
  it.each([
    [null, 240, 0.3, 240],
    [100, 200, 0.3, 130],
    [100, 200, 1, 200],
    [300, 0, 0.5, 150],
  ])('moves %s towards %s with alpha %s to %s', (prev, sample, alpha, expected) => {
    expect(ewma(prev, sample, alpha)).toBeCloseTo(expected, 10);
  });

  it('defaults alpha to 0.3', () => {
    expect(ewma(100, 200)).toBeCloseTo(130, 10);
  });

  it('stays between the previous average and the sample', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e5, noNaN: true }), fc.double({ min: 0, max: 1e5, noNaN: true }), fc.double({ min: 0.01, max: 1, noNaN: true }), (prev, sample, alpha) => {
        const next = ewma(prev, sample, alpha);
        expect(next).toBeGreaterThanOrEqual(Math.min(prev, sample) - 1e-9);
        expect(next).toBeLessThanOrEqual(Math.max(prev, sample) + 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it.each([[0], [-0.1], [1.5], [Number.NaN]])('rejects alpha %s', (alpha) => {
    expectDomainError(() => ewma(1, 2, alpha), 'validation-failed');
  });

  it('rejects a sample that is not finite', () => {
    expectDomainError(() => ewma(1, Number.POSITIVE_INFINITY), 'validation-failed');
  });
});

describe('percentile', () => {
  const tens = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

  it.each([
    [[], 90, null],
    [[42], 0, 42],
    [[42], 90, 42],
    [[42], 100, 42],
    [tens, 0, 10],
    [tens, 10, 10],
    [tens, 11, 20],
    [tens, 50, 50],
    [tens, 70, 70],
    [tens, 90, 90],
    [tens, 100, 100],
    [[5, 1, 4, 2, 3], 50, 3],
    [[300, 300, 300, 900], 75, 300],
    [[300, 300, 300, 900], 76, 900],
  ])('takes the nearest-rank percentile of %j at p%s as %s', (samples, p, expected) => {
    expect(percentile(samples, p)).toBe(expected);
  });

  it('does not reorder the samples it was given', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('returns one of the samples, monotone in p', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3600 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (samples, p, q) => {
        const [low, high] = p <= q ? [p, q] : [q, p];
        const a = percentile(samples, low);
        const b = percentile(samples, high);
        expect(samples).toContain(a);
        expect(a).not.toBeNull();
        expect(b as number).toBeGreaterThanOrEqual(a as number);
      }),
      { numRuns: 300 },
    );
  });

  it.each([[-1], [101], [Number.NaN]])('rejects p = %s', (p) => {
    expectDomainError(() => percentile([1], p), 'validation-failed');
  });
});

describe('estimateEta', () => {
  const history: EtaModel = { activeAgents: 2, ewmaServiceSeconds: 240, p90ServiceSeconds: 420 };

  it.each([
    ['nobody ahead and an agent free', { ...history, positionAhead: 0 }, 0, 0],
    ['one ahead, one agent', { ...history, activeAgents: 1, positionAhead: 1 }, 240, 420],
    ['four ahead shared by two agents', { ...history, positionAhead: 4 }, 480, 840],
    ['three ahead shared by two agents', { ...history, positionAhead: 3 }, 360, 630],
    ['no agent active counts as one', { ...history, activeAgents: 0, positionAhead: 2 }, 480, 840],
    ['no history uses the default service time', { activeAgents: 1, ewmaServiceSeconds: null, p90ServiceSeconds: null, positionAhead: 2 }, 600, 600],
    ['a custom default service time', { activeAgents: 3, ewmaServiceSeconds: null, p90ServiceSeconds: null, defaultServiceSeconds: 100, positionAhead: 5 }, 167, 167],
    ['fractional results round to whole seconds', { activeAgents: 3, ewmaServiceSeconds: 100.4, p90ServiceSeconds: 200.2, positionAhead: 1 }, 33, 67],
    ['an EWMA above the p90 never gives a band below the estimate', { activeAgents: 1, ewmaServiceSeconds: 500, p90ServiceSeconds: 300, positionAhead: 2 }, 1000, 1000],
  ])('estimates %s', (_label, input, etaSeconds, etaP90Seconds) => {
    expect(estimateEta(input)).toEqual({ etaSeconds, etaP90Seconds });
  });

  it('assumes 300 s per ticket without history', () => {
    expect(DEFAULT_SERVICE_SECONDS).toBe(300);
  });

  it('grows with the position and never puts the band below the estimate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 20 }),
        fc.option(fc.integer({ min: 1, max: 3600 })),
        fc.option(fc.integer({ min: 1, max: 7200 })),
        (positionAhead, activeAgents, ewmaServiceSeconds, p90ServiceSeconds) => {
          const model = { activeAgents, ewmaServiceSeconds, p90ServiceSeconds };
          const here = estimateEta({ ...model, positionAhead });
          const behind = estimateEta({ ...model, positionAhead: positionAhead + 1 });
          expect(Number.isInteger(here.etaSeconds)).toBe(true);
          expect(here.etaP90Seconds).toBeGreaterThanOrEqual(here.etaSeconds);
          expect(behind.etaSeconds).toBeGreaterThanOrEqual(here.etaSeconds);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['a negative position', { ...history, positionAhead: -1 }],
    ['a fractional position', { ...history, positionAhead: 1.5 }],
    ['negative agents', { ...history, activeAgents: -1, positionAhead: 1 }],
    ['a negative service time', { ...history, ewmaServiceSeconds: -5, positionAhead: 1 }],
    ['a zero default service time', { ...history, defaultServiceSeconds: 0, positionAhead: 1 }],
  ])('rejects %s', (_label, input) => {
    expectDomainError(() => estimateEta(input), 'validation-failed');
  });
});

describe('etaForQueue', () => {
  it('gives every waiting ticket its place in line and ETA', () => {
    const ids = ['t1', 't2', 't3'].map(ticketId);
    const etas = etaForQueue(ids, { activeAgents: 2, ewmaServiceSeconds: 300, p90ServiceSeconds: 600 });
    expect([...etas.entries()]).toEqual([
      [ids[0], { position: 1, ahead: 0, etaSeconds: 0, etaP90Seconds: 0 }],
      [ids[1], { position: 2, ahead: 1, etaSeconds: 150, etaP90Seconds: 300 }],
      [ids[2], { position: 3, ahead: 2, etaSeconds: 300, etaP90Seconds: 600 }],
    ]);
  });

  it('agrees with estimateEta for each position', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 5 }), fc.option(fc.integer({ min: 1, max: 900 })), (count, activeAgents, ewmaServiceSeconds) => {
        const model = { activeAgents, ewmaServiceSeconds, p90ServiceSeconds: null };
        const ids = Array.from({ length: count }, (_, i) => ticketId(`t${i}`));
        const etas = etaForQueue(ids, model);
        expect(etas.size).toBe(count);
        ids.forEach((id, ahead) => {
          expect(etas.get(id)).toEqual({ position: ahead + 1, ahead, ...estimateEta({ ...model, positionAhead: ahead }) });
        });
      }),
      { numRuns: 200 },
    );
  });

  it('returns an empty map for an empty queue', () => {
    expect(etaForQueue([], { activeAgents: 1, ewmaServiceSeconds: null, p90ServiceSeconds: null }).size).toBe(0);
  });
});
