// Password hashing (scrypt, versioned string) and the password policy: pure, no servers.
import { describe, expect, it } from 'vitest';
import { isLocked, passwordProblems, retryAfterSeconds, sessionAlive } from '../../domain/accounts';
import { hashPassword, needsRehash, verifyPassword } from '../../services/passwords';

describe('password hashes', () => {
  it('store scrypt with its parameters and a fresh salt, and verify only the right password', async () => {
    const [a, b] = [await hashPassword('correct horse battery'), await hashPassword('correct horse battery')];
    expect(a).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'not a hash')).toBe(false);
    expect(needsRehash(a)).toBe(false);
  });

  it('still verify a hash made with weaker parameters, and ask for it to be rehashed', async () => {
    const current = await hashPassword('密码也可以是中文的长句子');
    // The same derivation at ln=14: the string names its own parameters, so verification follows them.
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from(current.split('$')[3]!, 'base64');
    const key = scryptSync('密码也可以是中文的长句子'.normalize('NFC'), salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const older = `$scrypt$ln=14,r=8,p=1$${current.split('$')[3]}$${key.toString('base64').replace(/=+$/, '')}`;
    expect(await verifyPassword('密码也可以是中文的长句子', older)).toBe(true);
    expect(needsRehash(older)).toBe(true);
  });
});

describe('the password policy and lockout arithmetic', () => {
  it('names the field for a short or monotonous password and accepts a long one', () => {
    expect(passwordProblems('short')).toEqual([{ field: 'password', reason: 'must be at least 12 characters' }]);
    expect(passwordProblems('aaaaaaaaaaaaaaaa')[0]!.field).toBe('password');
    expect(passwordProblems('十二个汉字的密码也是可以的啊')).toEqual([]);
  });

  it('locks until the instant, rounds Retry-After up, and ends a session at either timeout', () => {
    expect(isLocked(null, 1000)).toBe(false);
    expect(isLocked(2000, 1000)).toBe(true);
    expect(isLocked(1000, 1000)).toBe(false);
    expect(retryAfterSeconds(2500, 1000)).toBe(2);
    expect(sessionAlive({ expiresAt: 10_000, lastSeenAt: 5_000 }, 3_000, 7_000)).toBe(true);
    expect(sessionAlive({ expiresAt: 10_000, lastSeenAt: 5_000 }, 3_000, 8_000)).toBe(false);
    expect(sessionAlive({ expiresAt: 10_000, lastSeenAt: 9_000 }, 3_000, 10_000)).toBe(false);
  });
});
