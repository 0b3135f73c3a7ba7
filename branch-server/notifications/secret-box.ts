import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Provider credentials and webhook secrets at rest: AES-256-GCM with a 32-byte key made once per
 * appliance in DATA_DIR (`secrets-key`, mode 0600), apart from the database file, so a copied
 * `branch.sqlite` alone does not give away the tenant's Twilio token. The row's own id is the
 * associated data: a ciphertext pasted into another row does not open. (The tenant id is not used:
 * enrollment re-keys tenant ids in every table.)
 *
 * Layout: version (1 byte) · IV (12) · tag (16) · ciphertext.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.#key = key;
  }

  static fromDataDir(dataDir: string): SecretBox {
    const file = join(dataDir, 'secrets-key');
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
  }

  seal(plaintext: string, rowId: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(rowId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  /** Throws when the key, the row or the bytes are not the ones it was sealed with. */
  open(sealed: Buffer, rowId: string): string {
    if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new Error('not a sealed secret');
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAAD(Buffer.from(rowId, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

const boxes = new Map<string, SecretBox>();

/** The appliance's box (one key file per DATA_DIR, read once per process). */
export function secretBoxFor(dataDir: string): SecretBox {
  let box = boxes.get(dataDir);
  if (!box) {
    box = SecretBox.fromDataDir(dataDir);
    boxes.set(dataDir, box);
  }
  return box;
}
