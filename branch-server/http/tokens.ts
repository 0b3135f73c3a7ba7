import { errors, jwtVerify, SignJWT } from 'jose';
import { DomainError } from '../domain/errors.ts';

export type AccessClaims = Readonly<{ userId: string; sessionId: string }>;

export type TokenService = Readonly<{
  ttlSeconds: number;
  sign(claims: AccessClaims, now: number): Promise<string>;
  verify(token: string, now: number): Promise<AccessClaims>;
}>;

const ISSUER = 'smartqueue-branch';

export function createTokenService(secret: Uint8Array, ttlSeconds: number): TokenService {
  return {
    ttlSeconds,
    async sign({ userId, sessionId }, now) {
      const iat = Math.floor(now / 1000);
      return new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(secret);
    },
    async verify(token, now) {
      try {
        const { payload } = await jwtVerify(token, secret, {
          issuer: ISSUER,
          algorithms: ['HS256'],
          currentDate: new Date(now),
        });
        if (typeof payload.sub !== 'string' || typeof payload['sid'] !== 'string') {
          throw new DomainError('token-invalid', 'Invalid token.');
        }
        return { userId: payload.sub, sessionId: payload['sid'] };
      } catch (error) {
        if (error instanceof DomainError) throw error;
        if (error instanceof errors.JWTExpired) throw new DomainError('token-expired', 'Token has expired.');
        throw new DomainError('token-invalid', 'Invalid token.');
      }
    },
  };
}
