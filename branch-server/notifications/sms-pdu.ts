/**
 * SMS-SUBMIT PDUs (3GPP TS 23.040) for a GSM modem in PDU mode (`AT+CMGF=0`). Pure. Text goes as
 * UCS-2 (data coding 0x08), which carries French accents and Arabic alike; a text longer than one
 * SMS (70 UCS-2 units) is split into concatenated parts (67 units each) with a user-data header
 * (IEI 0x00, 8-bit reference) that phones reassemble into one message.
 */
export type SubmitPdu = Readonly<{
  /** Hex of the whole PDU as `AT+CMGS` takes it: SMSC length 00 (the SIM's default centre) + TPDU. */
  hex: string;
  /** The length `AT+CMGS=<n>` announces: TPDU octets, without the SMSC part. */
  tpduLength: number;
}>;

export const SINGLE_UNITS = 70;
export const PART_UNITS = 67;

function semiOctets(digits: string): string {
  const padded = digits.length % 2 === 1 ? `${digits}F` : digits;
  let out = '';
  for (let i = 0; i < padded.length; i += 2) out += padded[i + 1]! + padded[i]!;
  return out;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0').toUpperCase();
}

function ucs2Hex(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += text.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
  return out;
}

/** Splits on UTF-16 units without cutting a surrogate pair in two. */
function split(text: string, size: number): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    parts.push(text.slice(i, end));
    i = end;
  }
  return parts;
}

/** The PDUs that send `text` to `number` (digits, optionally with a leading +). `reference` tags the parts of one message. */
export function encodeSubmitPdus(number: string, text: string, reference: number): SubmitPdu[] {
  const international = number.startsWith('+');
  const digits = number.replace(/^\+/, '');
  if (!/^\d{3,20}$/.test(digits)) throw new Error(`"${number}" is not a phone number`);
  const address = hex2(digits.length) + (international ? '91' : '81') + semiOctets(digits);
  const chunks = text.length <= SINGLE_UNITS ? [text] : split(text, PART_UNITS);
  return chunks.map((chunk, i) => {
    const udh = chunks.length > 1 ? `050003${hex2(reference & 0xff)}${hex2(chunks.length)}${hex2(i + 1)}` : '';
    const ud = udh + ucs2Hex(chunk);
    const firstOctet = chunks.length > 1 ? 0x41 : 0x01; // SMS-SUBMIT, no validity period, UDHI when split
    const tpdu = `${hex2(firstOctet)}00${address}0008${hex2(ud.length / 2)}${ud}`;
    return { hex: `00${tpdu}`, tpduLength: tpdu.length / 2 };
  });
}
