import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatWav, durationMs, encodeWav, joinSegments, parseWav, WavError, type PcmFormat, type Wav } from '../../../branch-server/voice/wav.ts';

const MONO16: PcmFormat = { sampleRate: 22_050, channels: 1, bitsPerSample: 16 };

function tone(samples: number, value: number, format: PcmFormat = MONO16): Wav {
  const data = new Uint8Array(samples * format.channels * (format.bitsPerSample / 8));
  const view = new DataView(data.buffer);
  if (format.bitsPerSample === 16) for (let i = 0; i < samples * format.channels; i++) view.setInt16(i * 2, value, true);
  else data.fill(value);
  return { format, data };
}

function header(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  return {
    riff: text(0), riffSize: view.getUint32(4, true), wave: text(8), fmt: text(12), fmtSize: view.getUint32(16, true),
    tag: view.getUint16(20, true), channels: view.getUint16(22, true), sampleRate: view.getUint32(24, true),
    byteRate: view.getUint32(28, true), blockAlign: view.getUint16(32, true), bits: view.getUint16(34, true),
    data: text(36), dataSize: view.getUint32(40, true),
  };
}

describe('WAV concatenation', () => {
  it('writes a canonical PCM header whose sizes match the bytes that follow', () => {
    const wav = concatWav([tone(100, 1000), tone(50, -1000)], 10);
    expect(header(wav)).toEqual({
      riff: 'RIFF', riffSize: wav.length - 8, wave: 'WAVE', fmt: 'fmt ', fmtSize: 16, tag: 1, channels: 1, sampleRate: 22_050,
      byteRate: 44_100, blockAlign: 2, bits: 16, data: 'data', dataSize: wav.length - 44,
    });
  });

  it('lasts the sum of the clips plus the gaps between them', () => {
    const clips = [tone(2205, 500), tone(4410, 600), tone(1102, 700)];
    const joined = parseWav(concatWav(clips, 250));
    const expected = clips.reduce((sum, c) => sum + durationMs(c), 0) + 2 * 250;
    expect(durationMs(joined)).toBeCloseTo(expected, 0);
  });

  it('keeps every sample of every clip in order, with true silence between them', () => {
    const joined = parseWav(concatWav([tone(3, 111), tone(2, -222)], 1000 / 22_050 * 4));
    const samples = Array.from(new Int16Array(joined.data.slice().buffer));
    expect(samples).toEqual([111, 111, 111, 0, 0, 0, 0, -222, -222]);
  });

  it('uses the unsigned midpoint as the silence of 8-bit audio', () => {
    const format: PcmFormat = { sampleRate: 8000, channels: 1, bitsPerSample: 8 };
    const joined = parseWav(joinSegments([tone(2, 200, format), { silenceMs: 0.5 }, tone(1, 10, format)]));
    expect(Array.from(joined.data)).toEqual([200, 200, 128, 128, 128, 128, 10]);
  });

  it('holds for any clips and gap: duration is the sum plus gaps, and the header matches the length', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 0, max: 2000 }),
      (lengths, gap) => {
        const clips = lengths.map((n) => tone(n, 42));
        const bytes = concatWav(clips, gap);
        const gapFrames = Math.round((gap * MONO16.sampleRate) / 1000);
        const frames = lengths.reduce((a, b) => a + b, 0) + gapFrames * (lengths.length - 1);
        expect(header(bytes).dataSize).toBe(frames * 2);
        expect(bytes.length).toBe(44 + frames * 2);
      },
    ), { numRuns: 100 });
  });

  it('refuses to join clips of different formats, naming both', () => {
    const other = tone(10, 1, { sampleRate: 16_000, channels: 1, bitsPerSample: 16 });
    expect(() => concatWav([tone(10, 1), other], 0)).toThrow(/22050 Hz.*16000 Hz|16000 Hz.*22050 Hz/);
    expect(() => joinSegments([{ silenceMs: 100 }])).toThrow(WavError);
  });
});

describe('WAV parsing', () => {
  it('reads back what it writes', () => {
    const clip = tone(321, 1234, { sampleRate: 16_000, channels: 2, bitsPerSample: 16 });
    const parsed = parseWav(encodeWav(clip.format, clip.data));
    expect(parsed.format).toEqual(clip.format);
    expect(Array.from(parsed.data)).toEqual(Array.from(clip.data));
  });

  it('skips chunks before the data (LIST, fact) and clamps a data size larger than the file', () => {
    const clip = tone(10, 7);
    const plain = encodeWav(clip.format, clip.data);
    const list = new Uint8Array([...'LIST'].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 1, 2, 3, 0]));
    const bytes = new Uint8Array(plain.length + list.length);
    bytes.set(plain.subarray(0, 36));
    bytes.set(list, 36);
    bytes.set(plain.subarray(36), 36 + list.length);
    new DataView(bytes.buffer).setUint32(36 + list.length + 4, 0x7fffffff, true);
    const parsed = parseWav(bytes);
    expect(parsed.data.length).toBe(20);
    expect(Array.from(parsed.data)).toEqual(Array.from(clip.data));
  });

  it('refuses what is not integer PCM WAV, with a reason', () => {
    expect(() => parseWav(new TextEncoder().encode('ID3 not a wav file at all'))).toThrow('Not a RIFF/WAVE file.');
    const float = encodeWav(MONO16, new Uint8Array(4));
    new DataView(float.buffer).setUint16(20, 3, true);
    expect(() => parseWav(float)).toThrow(/format tag 3/);
    expect(() => parseWav(encodeWav(MONO16, new Uint8Array(0)).subarray(0, 30))).toThrow(WavError);
  });
});
