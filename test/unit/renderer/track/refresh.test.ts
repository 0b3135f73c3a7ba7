import { describe, expect, it } from 'vitest';
import { refreshDelayMs } from '../../../../renderer/track/refresh.ts';

describe('tracking page refresh without a live channel', () => {
  it('reads every 5 s when three or fewer are ahead, 10 s up to ten, 20 s beyond', () => {
    expect(refreshDelayMs({ status: 'en_attente', position: 1 })).toBe(5_000);
    expect(refreshDelayMs({ status: 'en_attente', position: 3 })).toBe(5_000);
    expect(refreshDelayMs({ status: 'en_attente', position: 4 })).toBe(10_000);
    expect(refreshDelayMs({ status: 'en_attente', position: 10 })).toBe(10_000);
    expect(refreshDelayMs({ status: 'en_attente', position: 11 })).toBe(20_000);
    expect(refreshDelayMs({ status: 'en_attente', position: null })).toBe(20_000);
  });

  it('keeps reading a called or served ticket, and stops once the visit is over', () => {
    for (const status of ['appele', 'en_service', 'pause']) expect(refreshDelayMs({ status, position: null })).toBe(10_000);
    expect(refreshDelayMs({ status: 'clos', position: null })).toBeNull();
    expect(refreshDelayMs({ status: 'no_show', position: null })).toBeNull();
  });

  it('tries again every 10 s while the ticket has not been read yet', () => {
    expect(refreshDelayMs(null)).toBe(10_000);
  });
});
