import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { challengeMessage } from '../protocol/messages.ts';

export type DeviceKeyPair = Readonly<{
  privateKey: KeyObject;
  /** The raw 32-byte Ed25519 public key, base64url (what the cloud stores). */
  publicKey: string;
  /** PKCS#8 DER, base64url: how the private key is kept in sync_state. */
  privateKeyDer: string;
}>;

/** A fresh Ed25519 key pair, made on this device: the private half never leaves it. */
export function generateDeviceKeys(): DeviceKeyPair {
  const pair = generateKeyPairSync('ed25519');
  return {
    privateKey: pair.privateKey,
    publicKey: String(pair.publicKey.export({ format: 'jwk' }).x),
    privateKeyDer: pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'),
  };
}

export function privateKeyFrom(der: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(der, 'base64url'), format: 'der', type: 'pkcs8' });
}

/** The answer to a sign-in challenge: the nonce bound to our device id, signed. */
export function signChallenge(privateKey: KeyObject, deviceId: string, nonce: string): string {
  return sign(null, Buffer.from(challengeMessage(deviceId, nonce)), privateKey).toString('base64url');
}
