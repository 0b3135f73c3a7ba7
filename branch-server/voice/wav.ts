/**
 * PCM WAV reading and writing, and the concatenation spoken calls are made of. No I/O and no
 * run-time speech synthesis here: announcements are built from pre-recorded clips by joining their
 * samples (see `announcer.ts`). Only uncompressed integer PCM is accepted.
 */

export type PcmFormat = Readonly<{ sampleRate: number; channels: number; bitsPerSample: 8 | 16 | 24 | 32 }>;

/** A parsed clip: its format and its raw sample bytes (little-endian, interleaved). */
export type Wav = Readonly<{ format: PcmFormat; data: Uint8Array }>;

/** One piece of an announcement: a clip, or silence of some length. */
export type Segment = Wav | Readonly<{ silenceMs: number }>;

export class WavError extends Error {
  override readonly name = 'WavError';
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const HEADER_BYTES = 44;

function ascii(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset] ?? 0, bytes[offset + 1] ?? 0, bytes[offset + 2] ?? 0, bytes[offset + 3] ?? 0);
}

/**
 * Reads a RIFF/WAVE file: finds `fmt ` and `data` whatever other chunks sit between them (LIST,
 * fact…). A `data` size larger than the file (streaming writers put 0x7fffffff or leave it stale) is
 * clamped to the bytes actually present.
 */
export function parseWav(bytes: Uint8Array): Wav {
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') {
    throw new WavError('Not a RIFF/WAVE file.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: PcmFormat | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = ascii(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new WavError('Truncated fmt chunk.');
      const tag = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      const pcm = tag === WAVE_FORMAT_PCM || (tag === WAVE_FORMAT_EXTENSIBLE && size >= 40 && view.getUint16(body + 24, true) === WAVE_FORMAT_PCM);
      if (!pcm) throw new WavError(`Unsupported WAV encoding (format tag ${tag}); only integer PCM is accepted.`);
      if (bitsPerSample !== 8 && bitsPerSample !== 16 && bitsPerSample !== 24 && bitsPerSample !== 32) {
        throw new WavError(`Unsupported sample size: ${bitsPerSample} bits.`);
      }
      if (channels < 1 || channels > 8 || sampleRate < 1000 || sampleRate > 384_000) throw new WavError('Implausible WAV format.');
      format = { sampleRate, channels, bitsPerSample };
    } else if (id === 'data') {
      if (!format) throw new WavError('The data chunk comes before the fmt chunk.');
      const frame = blockAlign(format);
      const available = Math.min(size, bytes.length - body);
      const length = available - (available % frame);
      return { format, data: bytes.subarray(body, body + length) };
    }
    // Chunks are padded to an even size.
    offset = body + size + (size % 2);
  }
  throw new WavError(format ? 'No data chunk.' : 'No fmt chunk.');
}

export function blockAlign(format: PcmFormat): number {
  return format.channels * (format.bitsPerSample / 8);
}

export function durationMs(wav: Wav): number {
  return (wav.data.length / blockAlign(wav.format) / wav.format.sampleRate) * 1000;
}

export function sameFormat(a: PcmFormat, b: PcmFormat): boolean {
  return a.sampleRate === b.sampleRate && a.channels === b.channels && a.bitsPerSample === b.bitsPerSample;
}

/** A canonical 44-byte-header WAV file holding `data` as is. */
export function encodeWav(format: PcmFormat, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + data.length);
  const view = new DataView(out.buffer);
  const align = blockAlign(format);
  const put = (offset: number, text: string) => {
    for (let i = 0; i < 4; i++) out[offset + i] = text.charCodeAt(i);
  };
  put(0, 'RIFF');
  view.setUint32(4, 36 + data.length, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * align, true);
  view.setUint16(32, align, true);
  view.setUint16(34, format.bitsPerSample, true);
  put(36, 'data');
  view.setUint32(40, data.length, true);
  out.set(data, HEADER_BYTES);
  return out;
}

/** Whole frames of silence for `ms` milliseconds (8-bit PCM is unsigned: its silence is 128). */
function silenceBytes(format: PcmFormat, ms: number): number {
  const frames = Math.round((Math.max(0, ms) * format.sampleRate) / 1000);
  return frames * blockAlign(format);
}

/**
 * Joins clips and silences into one WAV. Every clip must share one format: resampling is not this
 * module's job (the clip library refuses a clip of another format when it loads it).
 */
export function joinSegments(segments: readonly Segment[]): Uint8Array {
  const format = segments.find((s): s is Wav => 'format' in s)?.format;
  if (!format) throw new WavError('Nothing to join: no clip.');
  let total = 0;
  for (const segment of segments) {
    if ('format' in segment) {
      if (!sameFormat(segment.format, format)) {
        throw new WavError(`Clips differ in format (${describe(segment.format)} vs ${describe(format)}).`);
      }
      total += segment.data.length;
    } else {
      total += silenceBytes(format, segment.silenceMs);
    }
  }
  const data = new Uint8Array(total);
  if (format.bitsPerSample === 8) data.fill(128);
  let offset = 0;
  for (const segment of segments) {
    if ('format' in segment) {
      data.set(segment.data, offset);
      offset += segment.data.length;
    } else {
      const length = silenceBytes(format, segment.silenceMs);
      // 8-bit silence is already 128 from the fill; signed formats are zero.
      offset += length;
    }
  }
  return encodeWav(format, data);
}

/** Clips one after the other with `gapMs` of silence between each two. */
export function concatWav(clips: readonly Wav[], gapMs: number): Uint8Array {
  const segments: Segment[] = [];
  clips.forEach((clip, i) => {
    if (i > 0 && gapMs > 0) segments.push({ silenceMs: gapMs });
    segments.push(clip);
  });
  return joinSegments(segments);
}

function describe(format: PcmFormat): string {
  return `${format.sampleRate} Hz, ${format.channels} ch, ${format.bitsPerSample}-bit`;
}
