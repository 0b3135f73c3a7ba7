import { errors, jwtVerify, SignJWT } from 'jose';
import { DomainError } from '../domain/errors.ts';

export type AccessClaims = Readonly<{ userId: string; sessionId: string }>;

export type TokenService = Readonly<{
  ttlSeconds: number;
  sign(claims: AccessClaims, now: number): Promise<string>;
  verify(token: string, now: number): Promise<AccessClaims>;
}>;

const ISSUER = 'smartqueue-branch';
/** Verified tokens remembered (the oldest forgotten first): a few per signed-in device or person. */
const VERIFIED_CACHE_SIZE = 10_000;

export function createTokenService(secret: Uint8Array, ttlSeconds: number): TokenService {
  // Checking an HMAC signature through WebCrypto costs about a tenth of the server's CPU when every
  // request carries a token (a kiosk rush). A token's signature either verifies or not, forever, for
  // this secret: a token already verified is only checked for expiry again. **Important**: this is
  // only the signature; the session behind it (revoked, expired, user deactivated) is still read on
  // every request by resolvePrincipal.
  const verified = new Map<string, Readonly<{ claims: AccessClaims; exp: number }>>();
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
      const known = verified.get(token);
      // Expired as jose decides it: exp at or before the current second.
      if (known && known.exp > Math.floor(now / 1000)) return known.claims;
      try {
        const { payload } = await jwtVerify(token, secret, {
          issuer: ISSUER,
          algorithms: ['HS256'],
          currentDate: new Date(now),
        });
        if (typeof payload.sub !== 'string' || typeof payload['sid'] !== 'string' || typeof payload.exp !== 'number') {
          throw new DomainError('token-invalid', 'Invalid token.');
        }
        const claims = { userId: payload.sub, sessionId: payload['sid'] };
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
        verified.set(token, { claims, exp: payload.exp });
        return claims;
      } catch (error) {
        if (error instanceof DomainError) throw error;
        if (error instanceof errors.JWTExpired) throw new DomainError('token-expired', 'Token has expired.');
        throw new DomainError('token-invalid', 'Invalid token.');
      }
    },
  };
}
