/**
 * PURE: a minimal TrueType (glyf outlines) reader, enough to draw text as a bitmap for thermal
 * printers: character map (cmap formats 4 and 12), advance widths (hmtx), and glyph outlines —
 * simple and composite glyphs, quadratic curves flattened to line segments. No hinting, no
 * kerning, no OpenType layout: Arabic shaping is done beforehand through Unicode presentation
 * forms (see arabic-shaping.ts), which fonts like DejaVu Sans map directly.
 */
export type Point = Readonly<{ x: number; y: number }>;
/** A closed outline, in font units, y up, already flattened to straight segments. */
export type Contour = readonly Point[];

export type Font = Readonly<{
  unitsPerEm: number;
  ascender: number;
  descender: number;
  glyphIndex(codePoint: number): number;
  advance(glyph: number): number;
  outline(glyph: number): readonly Contour[];
}>;

export class FontError extends Error {
  override readonly name = 'FontError';
}

type Table = Readonly<{ offset: number; length: number }>;

export function parseTrueType(bytes: Uint8Array): Font {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at);
  const i16 = (at: number) => view.getInt16(at);
  const u32 = (at: number) => view.getUint32(at);
  if (bytes.byteLength < 12) throw new FontError('not a font file');
  const version = u32(0);
  if (version !== 0x00010000 && version !== 0x74727565) throw new FontError('not a TrueType font (CFF/OpenType outlines are not supported)');

  const tables = new Map<string, Table>();
  const numTables = u16(4);
  for (let i = 0; i < numTables; i += 1) {
    const at = 12 + i * 16;
    const tag = String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
    tables.set(tag, { offset: u32(at + 8), length: u32(at + 12) });
  }
  const table = (tag: string): Table => {
    const found = tables.get(tag);
    if (!found || found.offset + found.length > bytes.byteLength) throw new FontError(`the font has no usable '${tag}' table`);
    return found;
  };

  const head = table('head');
  const unitsPerEm = u16(head.offset + 18);
  const longLoca = i16(head.offset + 50) === 1;
  const numGlyphs = u16(table('maxp').offset + 4);
  const hhea = table('hhea');
  const ascender = i16(hhea.offset + 4);
  const descender = i16(hhea.offset + 6);
  const numberOfHMetrics = u16(hhea.offset + 34);
  const hmtx = table('hmtx');
  const loca = table('loca');
  const glyf = table('glyf');
  const cmap = readCmap(view, table('cmap').offset);

  const glyphRange = (glyph: number): [number, number] => {
    if (glyph < 0 || glyph >= numGlyphs) return [0, 0];
    return longLoca
      ? [u32(loca.offset + glyph * 4), u32(loca.offset + glyph * 4 + 4)]
      : [u16(loca.offset + glyph * 2) * 2, u16(loca.offset + glyph * 2 + 2) * 2];
  };

  const cache = new Map<number, readonly Contour[]>();
  const outline = (glyph: number, depth = 0): readonly Contour[] => {
    const cached = cache.get(glyph);
    if (cached) return cached;
    const [start, end] = glyphRange(glyph);
    let contours: Contour[] = [];
    if (end > start && depth < 8) {
      const at = glyf.offset + start;
      const count = i16(at);
      contours = count >= 0 ? simpleGlyph(view, at, count) : compositeGlyph(view, at, (g) => outline(g, depth + 1));
    }
    cache.set(glyph, contours);
    return contours;
  };

  return {
    unitsPerEm,
    ascender,
    descender,
    glyphIndex: (codePoint) => cmap(codePoint),
    advance: (glyph) => {
      const index = Math.min(glyph, numberOfHMetrics - 1);
      return index < 0 ? 0 : u16(hmtx.offset + index * 4);
    },
    outline: (glyph) => outline(glyph),
  };
}

/** The best Unicode subtable: (3,10) or (0,4+) format 12, else (3,1) or (0,x) format 4. */
function readCmap(view: DataView, offset: number): (codePoint: number) => number {
  const count = view.getUint16(offset + 2);
  let format4: number | null = null;
  let format12: number | null = null;
  for (let i = 0; i < count; i += 1) {
    const record = offset + 4 + i * 8;
    const platform = view.getUint16(record);
    const encoding = view.getUint16(record + 2);
    const sub = offset + view.getUint32(record + 4);
    const format = view.getUint16(sub);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    if (format === 12) format12 ??= sub;
    if (format === 4) format4 ??= sub;
  }
  if (format12 !== null) {
    const sub = format12;
    const groups = view.getUint32(sub + 12);
    return (cp) => {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const at = sub + 16 + mid * 12;
        const startChar = view.getUint32(at);
        const endChar = view.getUint32(at + 4);
        if (cp < startChar) hi = mid - 1;
        else if (cp > endChar) lo = mid + 1;
        else return view.getUint32(at + 8) + (cp - startChar);
      }
      return 0;
    };
  }
  if (format4 === null) throw new FontError('the font has no Unicode character map');
  const sub = format4;
  const segCount = view.getUint16(sub + 6) / 2;
  const endCodes = sub + 14;
  const startCodes = endCodes + segCount * 2 + 2;
  const idDeltas = startCodes + segCount * 2;
  const idRangeOffsets = idDeltas + segCount * 2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let i = 0; i < segCount; i += 1) {
      if (view.getUint16(endCodes + i * 2) < cp) continue;
      const start = view.getUint16(startCodes + i * 2);
      if (start > cp) return 0;
      const delta = view.getInt16(idDeltas + i * 2);
      const rangeAt = idRangeOffsets + i * 2;
      const range = view.getUint16(rangeAt);
      if (range === 0) return (cp + delta) & 0xffff;
      const glyph = view.getUint16(rangeAt + range + (cp - start) * 2);
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

const ON_CURVE = 0x01;
const X_SHORT = 0x02;
const Y_SHORT = 0x04;
const REPEAT = 0x08;
const X_SAME_OR_POSITIVE = 0x10;
const Y_SAME_OR_POSITIVE = 0x20;

function simpleGlyph(view: DataView, at: number, contourCount: number): Contour[] {
  let p = at + 10;
  const ends: number[] = [];
  for (let i = 0; i < contourCount; i += 1, p += 2) ends.push(view.getUint16(p));
  const pointCount = contourCount === 0 ? 0 : ends[contourCount - 1]! + 1;
  p += 2 + view.getUint16(p); // skip the hinting instructions
  const flags: number[] = [];
  while (flags.length < pointCount) {
    const flag = view.getUint8(p++);
    flags.push(flag);
    if (flag & REPEAT) {
      for (let n = view.getUint8(p++); n > 0; n -= 1) flags.push(flag);
    }
  }
  const coords = (short: number, sameOrPositive: number): number[] => {
    const values: number[] = [];
    let value = 0;
    for (const flag of flags.slice(0, pointCount)) {
      if (flag & short) {
        const delta = view.getUint8(p++);
        value += flag & sameOrPositive ? delta : -delta;
      } else if (!(flag & sameOrPositive)) {
        value += view.getInt16(p);
        p += 2;
      }
      values.push(value);
    }
    return values;
  };
  const xs = coords(X_SHORT, X_SAME_OR_POSITIVE);
  const ys = coords(Y_SHORT, Y_SAME_OR_POSITIVE);
  const contours: Contour[] = [];
  let first = 0;
  for (const end of ends) {
    const points = [];
    for (let i = first; i <= end; i += 1) points.push({ x: xs[i]!, y: ys[i]!, on: (flags[i]! & ON_CURVE) !== 0 });
    first = end + 1;
    if (points.length > 1) contours.push(flatten(points));
  }
  return contours;
}

const ARG_WORDS = 0x0001;
const ARGS_ARE_XY = 0x0002;
const HAVE_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const HAVE_XY_SCALE = 0x0040;
const HAVE_2X2 = 0x0080;

function compositeGlyph(view: DataView, at: number, outlineOf: (glyph: number) => readonly Contour[]): Contour[] {
  const contours: Contour[] = [];
  let p = at + 10;
  for (;;) {
    const flags = view.getUint16(p);
    const glyph = view.getUint16(p + 2);
    p += 4;
    let dx = 0;
    let dy = 0;
    if (flags & ARG_WORDS) {
      dx = view.getInt16(p);
      dy = view.getInt16(p + 2);
      p += 4;
    } else {
      dx = view.getInt8(p);
      dy = view.getInt8(p + 1);
      p += 2;
    }
    // Anchored by matching points (ARGS_ARE_XY clear) is rare in text fonts: placed without offset.
    if (!(flags & ARGS_ARE_XY)) {
      dx = 0;
      dy = 0;
    }
    let [a, b, c, d] = [1, 0, 0, 1];
    const f2dot14 = (offset: number) => view.getInt16(offset) / 16384;
    if (flags & HAVE_SCALE) {
      a = d = f2dot14(p);
      p += 2;
    } else if (flags & HAVE_XY_SCALE) {
      a = f2dot14(p);
      d = f2dot14(p + 2);
      p += 4;
    } else if (flags & HAVE_2X2) {
      [a, b, c, d] = [f2dot14(p), f2dot14(p + 2), f2dot14(p + 4), f2dot14(p + 6)];
      p += 8;
    }
    for (const contour of outlineOf(glyph)) {
      contours.push(contour.map((pt) => ({ x: a * pt.x + c * pt.y + dx, y: b * pt.x + d * pt.y + dy })));
    }
    if (!(flags & MORE_COMPONENTS)) break;
  }
  return contours;
}

/** Quadratic B-splines to line segments: two off-curve points in a row imply an on-curve point between them. */
function flatten(points: ReadonlyArray<{ x: number; y: number; on: boolean }>): Contour {
  const mid = (p: { x: number; y: number }, q: { x: number; y: number }) => ({ x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 });
  const firstOn = points.findIndex((pt) => pt.on);
  // Start on an on-curve point; a contour of off-curve points only starts between its first two.
  const start = firstOn >= 0 ? points[firstOn]! : mid(points[0]!, points[1]!);
  const rest = firstOn >= 0
    ? [...points.slice(firstOn + 1), ...points.slice(0, firstOn)]
    : [...points.slice(1), points[0]!];
  const out: Point[] = [{ x: start.x, y: start.y }];
  let current: { x: number; y: number } = start;
  let control: { x: number; y: number } | null = null;
  const curveTo = (ctrl: { x: number; y: number }, end: { x: number; y: number }) => {
    const steps = 8;
    for (let s = 1; s <= steps; s += 1) {
      const t = s / steps;
      const u = 1 - t;
      out.push({ x: u * u * current.x + 2 * u * t * ctrl.x + t * t * end.x, y: u * u * current.y + 2 * u * t * ctrl.y + t * t * end.y });
    }
    current = end;
  };
  for (const pt of rest) {
    if (pt.on) {
      if (control) curveTo(control, pt);
      else out.push({ x: pt.x, y: pt.y });
      current = pt;
      control = null;
    } else {
      if (control) curveTo(control, mid(control, pt));
      control = pt;
    }
  }
  if (control) curveTo(control, start);
  return out;
}
