/**
 * A small ESC/POS decoder for tests: it reads the bytes a printer would receive and says what the
 * printer would do — text runs decoded through the code page selected at that point, character size,
 * QR store/print (GS ( k), raster images (GS v 0), cuts. Unknown commands throw, so a renderer change
 * that emits something this decoder does not understand fails the tests instead of passing unseen.
 * Its code page tables are written out here, independently of the encoder under test.
 */

export type TextStyle = Readonly<{ width: number; height: number; bold: boolean; invert: boolean; align: number }>;
export type Token =
  | Readonly<{ type: 'init' }>
  | Readonly<{ type: 'text'; text: string; codepage: string; style: TextStyle }>
  | Readonly<{ type: 'newline' }>
  | Readonly<{ type: 'codepage'; n: number; name: string }>
  | Readonly<{ type: 'size'; width: number; height: number }>
  | Readonly<{ type: 'qr-model'; model: number }>
  | Readonly<{ type: 'qr-size'; moduleSize: number }>
  | Readonly<{ type: 'qr-error'; level: 'L' | 'M' | 'Q' | 'H' }>
  | Readonly<{ type: 'qr-store'; data: string }>
  | Readonly<{ type: 'qr-print' }>
  | Readonly<{ type: 'raster'; widthBytes: number; height: number; bits: Uint8Array }>
  | Readonly<{ type: 'cut'; partial: boolean }>
  | Readonly<{ type: 'feed'; lines: number }>
  | Readonly<{ type: 'status-request'; n: number }>
  | Readonly<{ type: 'setting'; command: string; value: number }>;

const CP437_HIGH = 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
const CP850_HIGH = 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0';
const CP858_HIGH = CP850_HIGH.slice(0, 0x55) + '€' + CP850_HIGH.slice(0x56);
/** Windows-1252: 0x80–0x9F written out (Node's TextDecoder treats this label as Latin-1), the rest is Latin-1. */
const WIN1252_80_9F = '€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ';

/** `ESC t n` numbers of the Epson table (the default mapping of the renderer). */
const EPSON_CODEPAGES: Readonly<Record<number, string>> = { 0: 'cp437', 2: 'cp850', 16: 'windows1252', 19: 'cp858' };

function decodeByte(byte: number, codepage: string): string {
  if (byte < 0x80) return String.fromCharCode(byte);
  switch (codepage) {
    case 'cp437': return CP437_HIGH[byte - 0x80]!;
    case 'cp850': return CP850_HIGH[byte - 0x80]!;
    case 'cp858': return CP858_HIGH[byte - 0x80]!;
    case 'windows1252': return byte < 0xa0 ? WIN1252_80_9F[byte - 0x80]! : String.fromCharCode(byte);
    default: throw new Error(`no decoding table for code page ${codepage}`);
  }
}

export function tokenize(input: Uint8Array): Token[] {
  const b = input;
  const tokens: Token[] = [];
  let codepage = 'cp437';
  let style: TextStyle = { width: 1, height: 1, bold: false, invert: false, align: 0 };
  let run = '';
  const flush = () => {
    if (run) tokens.push({ type: 'text', text: run, codepage, style });
    run = '';
  };
  const at = (i: number): number => {
    if (i >= b.length) throw new Error(`truncated command at byte ${i}`);
    return b[i]!;
  };
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c === 0x0a) { flush(); tokens.push({ type: 'newline' }); i += 1; continue; }
    if (c === 0x0d) { i += 1; continue; }
    if (c >= 0x20 && c !== 0x7f) { run += decodeByte(c, codepage); i += 1; continue; }
    flush();
    if (c === 0x1b) {
      const cmd = at(i + 1);
      switch (cmd) {
        case 0x40: tokens.push({ type: 'init' }); codepage = 'cp437'; style = { width: 1, height: 1, bold: false, invert: false, align: 0 }; i += 2; break;
        case 0x74: {
          const n = at(i + 2);
          const name = EPSON_CODEPAGES[n];
          if (!name) throw new Error(`ESC t ${n}: code page not in the test table`);
          codepage = name;
          tokens.push({ type: 'codepage', n, name });
          i += 3;
          break;
        }
        case 0x45: style = { ...style, bold: at(i + 2) === 1 }; i += 3; break;
        case 0x61: style = { ...style, align: at(i + 2) % 48 }; tokens.push({ type: 'setting', command: 'ESC a', value: at(i + 2) }); i += 3; break;
        case 0x64: tokens.push({ type: 'feed', lines: at(i + 2) }); i += 3; break;
        case 0x4d: case 0x2d: case 0x33: case 0x34: case 0x21: case 0x4a: case 0x20: case 0x7b: case 0x56: case 0x47:
          tokens.push({ type: 'setting', command: `ESC ${String.fromCharCode(cmd)}`, value: at(i + 2) });
          i += 3;
          break;
        case 0x32: tokens.push({ type: 'setting', command: 'ESC 2', value: 0 }); i += 2; break;
        default: throw new Error(`unknown command ESC 0x${cmd.toString(16)} at byte ${i}`);
      }
      continue;
    }
    if (c === 0x1c) {
      const cmd = at(i + 1);
      if (cmd === 0x2e) { i += 2; continue; } // FS . cancel Kanji mode
      throw new Error(`unknown command FS 0x${cmd.toString(16)} at byte ${i}`);
    }
    if (c === 0x10 && at(i + 1) === 0x04) { tokens.push({ type: 'status-request', n: at(i + 2) }); i += 3; continue; }
    if (c === 0x1d) {
      const cmd = at(i + 1);
      switch (cmd) {
        case 0x21: {
          const n = at(i + 2);
          style = { ...style, width: (n >> 4) + 1, height: (n & 0x0f) + 1 };
          tokens.push({ type: 'size', width: style.width, height: style.height });
          i += 3;
          break;
        }
        case 0x42: style = { ...style, invert: at(i + 2) === 1 }; i += 3; break;
        case 0x56: {
          const m = at(i + 2);
          const withFeed = m === 65 || m === 66;
          tokens.push({ type: 'cut', partial: m === 1 || m === 49 || m === 66 });
          i += withFeed ? 4 : 3;
          break;
        }
        case 0x28: {
          if (at(i + 2) !== 0x6b) throw new Error(`unknown command GS ( 0x${at(i + 2).toString(16)} at byte ${i}`);
          const len = at(i + 3) + at(i + 4) * 256;
          const body = b.subarray(i + 5, i + 5 + len);
          if (body.length !== len) throw new Error(`truncated GS ( k at byte ${i}`);
          const [cn, fn] = [body[0], body[1]];
          if (cn !== 0x31) throw new Error(`GS ( k symbol ${cn} is not a QR code`);
          if (fn === 0x41) tokens.push({ type: 'qr-model', model: body[2]! - 0x30 });
          else if (fn === 0x43) tokens.push({ type: 'qr-size', moduleSize: body[2]! });
          else if (fn === 0x45) tokens.push({ type: 'qr-error', level: (['L', 'M', 'Q', 'H'] as const)[body[2]! - 0x30]! });
          else if (fn === 0x50) tokens.push({ type: 'qr-store', data: new TextDecoder().decode(body.subarray(3)) });
          else if (fn === 0x51) tokens.push({ type: 'qr-print' });
          else throw new Error(`GS ( k function 0x${fn?.toString(16)} not understood`);
          i += 5 + len;
          break;
        }
        case 0x76: {
          if (at(i + 2) !== 0x30) throw new Error(`unknown command GS v 0x${at(i + 2).toString(16)}`);
          const widthBytes = at(i + 4) + at(i + 5) * 256;
          const height = at(i + 6) + at(i + 7) * 256;
          const bits = b.slice(i + 8, i + 8 + widthBytes * height);
          if (bits.length !== widthBytes * height) throw new Error(`truncated raster image at byte ${i}`);
          tokens.push({ type: 'raster', widthBytes, height, bits });
          i += 8 + widthBytes * height;
          break;
        }
        case 0x4c: case 0x57: tokens.push({ type: 'setting', command: `GS ${String.fromCharCode(cmd)}`, value: at(i + 2) + at(i + 3) * 256 }); i += 4; break;
        default: throw new Error(`unknown command GS 0x${cmd.toString(16)} at byte ${i}`);
      }
      continue;
    }
    throw new Error(`unexpected control byte 0x${c.toString(16)} at byte ${i}`);
  }
  flush();
  return tokens;
}

export type PrintedLine = Readonly<{ text: string; maxWidth: number; maxHeight: number; bold: boolean; inverted: boolean; codepages: readonly string[] }>;

/** The printed lines (text between line feeds, outer spaces trimmed) with the largest size used on each. */
export function printedLines(tokens: readonly Token[]): PrintedLine[] {
  const lines: PrintedLine[] = [];
  let parts: Array<Extract<Token, { type: 'text' }>> = [];
  const end = () => {
    const text = parts.map((p) => p.text).join('').trim();
    if (text) {
      const styled = parts.filter((p) => p.text.trim() !== '');
      lines.push({
        text,
        maxWidth: Math.max(...styled.map((p) => p.style.width)),
        maxHeight: Math.max(...styled.map((p) => p.style.height)),
        bold: styled.some((p) => p.style.bold),
        inverted: styled.some((p) => p.style.invert),
        codepages: [...new Set(styled.map((p) => p.codepage))],
      });
    }
    parts = [];
  };
  for (const token of tokens) {
    if (token.type === 'text') parts.push(token);
    else if (token.type === 'newline') end();
  }
  end();
  return lines;
}

/** The payload of every QR code actually printed (stored, then printed). */
export function printedQrCodes(tokens: readonly Token[]): string[] {
  const printed: string[] = [];
  let stored: string | null = null;
  for (const token of tokens) {
    if (token.type === 'qr-store') stored = token.data;
    if (token.type === 'qr-print' && stored !== null) printed.push(stored);
  }
  return printed;
}
