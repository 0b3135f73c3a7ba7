import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { createTokenService } from '../../../branch-server/http/tokens.ts';

const secret = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!');
const codeOf = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => (error instanceof DomainError ? error.code : String(error)));

describe('access tokens', () => {
  it('refuses a token once it expired, even after accepting it many times', async () => {
    const tokens = createTokenService(secret, 60);
    const t0 = Date.UTC(2026, 10, 30, 8, 0, 0);
    const token = await tokens.sign({ userId: 'u1', sessionId: 's1' }, t0);
    for (let i = 0; i < 3; i += 1) expect(await tokens.verify(token, t0 + i * 1_000)).toEqual({ userId: 'u1', sessionId: 's1' });
    expect(await tokens.verify(token, t0 + 59_999)).toEqual({ userId: 'u1', sessionId: 's1' });
    expect(await codeOf(tokens.verify(token, t0 + 60_000))).toBe('token-expired');
    expect(await codeOf(tokens.verify(token, t0 + 30_000 + 3_600_000))).toBe('token-expired');
  });

  it('refuses a token another server signed, and a tampered one, whatever this one accepted before', async () => {
    const ours = createTokenService(secret, 60);
    const theirs = createTokenService(new TextEncoder().encode('another-secret-of-at-least-32-bytes!'), 60);
    const now = Date.now();
    const token = await ours.sign({ userId: 'u1', sessionId: 's1' }, now);
    expect(await ours.verify(token, now)).toEqual({ userId: 'u1', sessionId: 's1' });
    expect(await codeOf(theirs.verify(token, now))).toBe('token-invalid');
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'admin' })).toString('base64url')}.${signature}`;
    expect(await codeOf(ours.verify(forged, now))).toBe('token-invalid');
  });
});
