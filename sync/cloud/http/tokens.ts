import { errors, jwtVerify, SignJWT } from 'jose';
import { DomainError } from '../../../branch-server/domain/errors.ts';

const ISSUER = 'smartqueue-cloud';

export type UserClaims = Readonly<{ typ: 'user'; userId: string; sessionId: string }>;
export type DeviceClaims = Readonly<{ typ: 'device'; deviceId: string; tenantId: string; siteId: string }>;
export type CloudClaims = UserClaims | DeviceClaims;

export type CloudTokens = Readonly<{
  userTtlSeconds: number;
  deviceTtlSeconds: number;
  sign(claims: CloudClaims, now: number): Promise<string>;
  verify(token: string, now: number): Promise<CloudClaims>;
}>;

/**
 * HS256 access tokens for HQ users and enrolled branches. The secret lives in the database
 * (`cloud_meta`), so every cloud process behind a load balancer accepts every other's tokens.
 */
export function createCloudTokens(secret: Uint8Array, userTtlSeconds = 900, deviceTtlSeconds = 600): CloudTokens {
  return {
    userTtlSeconds,
    deviceTtlSeconds,
    async sign(claims, now) {
      const iat = Math.floor(now / 1000);
      const ttl = claims.typ === 'user' ? userTtlSeconds : deviceTtlSeconds;
      const body = claims.typ === 'user' ? { typ: 'user', sid: claims.sessionId } : { typ: 'device', tid: claims.tenantId, site: claims.siteId };
      return new SignJWT(body)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.typ === 'user' ? claims.userId : claims.deviceId)
        .setIssuer(ISSUER)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttl)
        .sign(secret);
    },
    async verify(token, now) {
      try {
        const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, algorithms: ['HS256'], currentDate: new Date(now) });
        const sub = payload.sub;
        if (typeof sub !== 'string') throw new DomainError('token-invalid', 'Invalid token.');
        if (payload['typ'] === 'user' && typeof payload['sid'] === 'string') return { typ: 'user', userId: sub, sessionId: payload['sid'] };
        if (payload['typ'] === 'device' && typeof payload['tid'] === 'string' && typeof payload['site'] === 'string') {
          return { typ: 'device', deviceId: sub, tenantId: payload['tid'], siteId: payload['site'] };
        }
        throw new DomainError('token-invalid', 'Invalid token.');
      } catch (error) {
        if (error instanceof DomainError) throw error;
        if (error instanceof errors.JWTExpired) throw new DomainError('token-expired', 'Token has expired.');
        throw new DomainError('token-invalid', 'Invalid token.');
      }
    },
  };
}
