import { describe, expect, it } from 'vitest';
import { isStatusByte, parseStatusBytes } from '../../../hardware/transports/printer-status.ts';

describe('parseStatusBytes (DLE EOT 1, 2, 4)', () => {
  it('reads an idle printer with paper as ok', () => {
    expect(parseStatusBytes(0x12, 0x12, 0x12)).toEqual({ state: 'ok', online: true, paper: 'ok', coverOpen: false, detail: null });
  });

  it('reads the roll sensor near-end bits as near end, still printing', () => {
    expect(parseStatusBytes(0x12, 0x12, 0x1e)).toMatchObject({ state: 'near-end', paper: 'near-end', online: true });
  });

  it('reads paper out from the roll sensor or from "stopped by paper end"', () => {
    expect(parseStatusBytes(0x1a, 0x32, 0x72)).toMatchObject({ state: 'paper-out', paper: 'out', online: false });
    expect(parseStatusBytes(0x12, 0x32, 0x12)).toMatchObject({ state: 'paper-out', paper: 'out' });
  });

  it('puts an open cover before everything else', () => {
    expect(parseStatusBytes(0x1a, 0x16, 0x72)).toMatchObject({ state: 'cover-open', coverOpen: true });
  });

  it('reads an offline printer with an error as offline', () => {
    expect(parseStatusBytes(0x1a, 0x52, 0x12)).toMatchObject({ state: 'offline', online: false, detail: 'printer reports an error' });
  });

  it('accepts only bytes with the fixed status bits', () => {
    expect(isStatusByte(0x12)).toBe(true);
    expect(isStatusByte(0x72)).toBe(true);
    expect(isStatusByte(0x00)).toBe(false);
    expect(isStatusByte(0x41)).toBe(false);
  });
});
