import { SerialPort } from 'serialport';

export type ModemSms = Readonly<{ to: string; text: string; parts: number }>;

type Part = Readonly<{ to: string; text: string; ref: number | null; total: number; seq: number }>;

/**
 * Reads an SMS-SUBMIT TPDU (hex, after the SMSC field) as a modem's firmware would: destination
 * address (semi-octets, type 91 = international), DCS, optional validity period, user data with an
 * optional concatenation header. Written from 3GPP TS 23.040, independently of the server's encoder.
 */
export function decodeSubmit(tpduHex: string): Part {
  const bytes = Buffer.from(tpduHex, 'hex');
  let i = 0;
  const first = bytes[i++]!;
  if ((first & 0x03) !== 0x01) throw new Error('not an SMS-SUBMIT');
  const udhi = (first & 0x40) !== 0;
  const vpf = (first >> 3) & 0x03;
  i++; // message reference
  const digits = bytes[i++]!;
  const toa = bytes[i++]!;
  const addressBytes = bytes.subarray(i, i + Math.ceil(digits / 2));
  i += addressBytes.length;
  let to = '';
  for (const b of addressBytes) to += `${b & 0x0f}${(b >> 4) === 0x0f ? '' : b >> 4}`;
  to = (toa === 0x91 ? '+' : '') + to.slice(0, digits);
  i++; // PID
  const dcs = bytes[i++]!;
  if (vpf === 2) i += 1;
  else if (vpf !== 0) i += 7;
  const udl = bytes[i++]!;
  let ud = bytes.subarray(i, i + udl);
  if (ud.length !== udl) throw new Error(`user data is ${ud.length} octets, UDL says ${udl}`);
  let ref: number | null = null;
  let total = 1;
  let seq = 1;
  if (udhi) {
    const udhl = ud[0]!;
    const header = ud.subarray(1, 1 + udhl);
    if (header[0] === 0x00 && header[1] === 0x03) {
      ref = header[2]!;
      total = header[3]!;
      seq = header[4]!;
    }
    ud = ud.subarray(1 + udhl);
  }
  if ((dcs & 0x0c) !== 0x08) throw new Error(`expected UCS-2 data coding, got ${dcs.toString(16)}`);
  let text = '';
  for (let k = 0; k + 1 < ud.length; k += 2) text += String.fromCharCode(ud.readUInt16BE(k));
  return { to, text, ref, total, seq };
}

export type FakeGsmModem = Readonly<{ messages: ModemSms[]; commands: string[]; close(): Promise<void> }>;

/** A GSM modem on one end of a socat pty pair: answers AT commands (27.005, PDU mode) and records the SMS it "sends". */
export async function startFakeGsmModem(path: string): Promise<FakeGsmModem> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const messages: ModemSms[] = [];
  const commands: string[] = [];
  const pending = new Map<number, Part[]>();
  let buffer = '';
  let awaitingPdu: number | null = null;
  let mr = 0;
  const say = (text: string) => port.write(Buffer.from(text, 'latin1'));
  port.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    for (;;) {
      if (awaitingPdu !== null) {
        const end = buffer.indexOf('\x1a');
        if (end < 0) return;
        const hex = buffer.slice(0, end).trim();
        buffer = buffer.slice(end + 1);
        const announced = awaitingPdu;
        awaitingPdu = null;
        try {
          const smscLength = parseInt(hex.slice(0, 2), 16);
          const tpdu = hex.slice(2 + smscLength * 2);
          if (tpdu.length / 2 !== announced) throw new Error(`AT+CMGS announced ${announced} octets, got ${tpdu.length / 2}`);
          const part = decodeSubmit(tpdu);
          if (part.ref === null) messages.push({ to: part.to, text: part.text, parts: 1 });
          else {
            const parts = [...(pending.get(part.ref) ?? []), part];
            pending.set(part.ref, parts);
            if (parts.length === part.total) {
              pending.delete(part.ref);
              messages.push({ to: part.to, text: parts.sort((a, b) => a.seq - b.seq).map((p) => p.text).join(''), parts: part.total });
            }
          }
          mr = (mr + 1) % 256;
          say(`\r\n+CMGS: ${mr}\r\n\r\nOK\r\n`);
        } catch (error) {
          commands.push(`bad pdu: ${(error as Error).message}`);
          say('\r\n+CMS ERROR: 304\r\n');
        }
        continue;
      }
      const end = buffer.indexOf('\r');
      if (end < 0) return;
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (!line) continue;
      commands.push(line);
      const cmgs = /^AT\+CMGS=(\d+)$/i.exec(line);
      if (cmgs) {
        awaitingPdu = Number(cmgs[1]);
        say('\r\n> ');
      } else if (/^AT\+CPIN\?$/i.test(line)) say('\r\n+CPIN: READY\r\n\r\nOK\r\n');
      else if (/^(AT|ATE0|AT\+CMGF=0)$/i.test(line)) say('\r\nOK\r\n');
      else say('\r\nERROR\r\n');
    }
  });
  return {
    messages,
    commands,
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}
