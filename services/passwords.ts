// Password hashing with scrypt (node:crypto: memory-hard, no native package). The stored string
// names its function and parameters (`$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, base64 without
// padding), so stronger parameters later still verify the hashes stored before them.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
/**
 * 2^15 × 8 × 128 B = 32 MiB per hash, about 0.1 s on one idle core here. OWASP's cheat sheet asks
 * for N=2^17 (128 MiB): raise `ln` when the servers allow; stored hashes name their parameters and
 * are rehashed at the next sign-in (needsRehash).
 */
const DEFAULT = { ln: 15, r: 8, p: 1 };
const PREFIX = '$scrypt$';
const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function derive(password: string, salt: Buffer, params: { ln: number; r: number; p: number }, length: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key))));
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, DEFAULT, KEY_LENGTH);
  return `${PREFIX}ln=${DEFAULT.ln},r=${DEFAULT.r},p=${DEFAULT.p}$${b64(salt)}$${b64(key)}`;
}

/** True when `password` matches `stored`; false for a mismatch or a hash this code cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < 10 || params.ln > 20 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await derive(password, Buffer.from(m[4]!, 'base64'), params, expected.length);
  return timingSafeEqual(key, expected);
}

/** Whether a stored hash uses weaker parameters than today's (rehash it at the next sign-in). */
export const needsRehash = (stored: string): boolean => !stored.startsWith(`${PREFIX}ln=${DEFAULT.ln},r=${DEFAULT.r},p=${DEFAULT.p}$`);

/** A hash of a random password: unknown emails are checked against it, so they take as long as known ones. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(randomBytes(18).toString('base64')));
