import { describe, expect, it } from 'vitest';
import { isExitChord } from '../../../main/gesture.ts';
import { decideExit, hashPin, LOCK_MS, MAX_FAILURES, NO_ATTEMPTS, pinMatches } from '../../../main/kiosk-exit.ts';

describe('kiosk exit PIN', () => {
  const stored = hashPin('4821');

  it('accepts the PIN and nothing else', () => {
    expect(pinMatches('4821', stored)).toBe(true);
    for (const wrong of ['4820', '48210', '', '4821 ', 'abcd']) expect(pinMatches(wrong, stored)).toBe(false);
  });

  it('salts each hash (two kiosks with the same PIN store different hashes)', () => {
    expect(hashPin('4821').hash).not.toBe(stored.hash);
  });

  it('refuses PINs that are not 4 to 8 digits when set', () => {
    for (const bad of ['123', '123456789', '12a4']) expect(() => hashPin(bad)).toThrow(/4 to 8 digits/);
  });

  it('locks for five minutes after five wrong PINs in a row, even for the right PIN, then accepts it', () => {
    let attempts = NO_ATTEMPTS;
    for (let i = 1; i < MAX_FAILURES; i += 1) {
      const d = decideExit('0000', stored, attempts, 1_000);
      expect(d).toMatchObject({ outcome: 'wrong-pin', remaining: MAX_FAILURES - i });
      attempts = d.attempts;
    }
    const locked = decideExit('0000', stored, attempts, 1_000);
    expect(locked).toMatchObject({ outcome: 'locked', retryInMs: LOCK_MS });
    expect(decideExit('4821', stored, locked.attempts, 1_000 + LOCK_MS - 1).outcome).toBe('locked');
    expect(decideExit('4821', stored, locked.attempts, 1_000 + LOCK_MS)).toEqual({ outcome: 'leave', attempts: NO_ATTEMPTS });
  });

  it('opens the prompt on Ctrl+Alt+Shift+Q only', () => {
    const key = (over: object) => ({ type: 'keyDown', key: 'q', control: true, alt: true, shift: true, ...over });
    expect(isExitChord(key({}))).toBe(true);
    expect(isExitChord(key({ key: 'Q' }))).toBe(true);
    expect(isExitChord(key({ shift: false }))).toBe(false);
    expect(isExitChord(key({ type: 'keyUp' }))).toBe(false);
    expect(isExitChord(key({ key: 'w' }))).toBe(false);
  });
});
