import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../branch-server/domain/pick-explanation.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45.9, '45 s'],
    [60, '1 min'],
    [719, '11 min'],
    [3600, '1 h 00 min'],
    [3900, '1 h 05 min'],
    [-5, '0 s'],
  ])('writes %s seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
