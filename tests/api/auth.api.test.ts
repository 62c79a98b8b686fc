// People signing in as themselves: password sign-in with lockout, the session cookie and its CSRF
// token, idle and absolute timeouts, password reset by a link mailed through the outbox to a real
// SMTP sink, accounts created and managed by the office, scope rules and the ledger's actor for a
// person. Real Postgres, the shared Temporal dev server, a real worker.
import { and, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, hazardEvents, userSessions, users } from '../../db/schema';
import { sha256 } from '../../db/users.repo';
import type { Role } from '../../domain/hazard';
import { ApiHarness, eventually, type Json, type Reply } from '../support/api-harness';
import { reportBody, uniq } from '../support/fixtures';

const h = ApiHarness.forFile({ worker: true });
const PASSWORD = 'correct horse battery';

interface Signed {
  cookie: string;
  csrf: string;
  userId: string;
}

async function request<T = Json>(method: 'GET' | 'POST' | 'DELETE', url: string, opts: { cookie?: string; csrf?: string; key?: string; body?: unknown } = {}): Promise<Reply<T>> {
  const res = await h.app.inject({
    method,
    url,
    headers: {
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(opts.csrf ? { 'x-csrf-token': opts.csrf } : {}),
      ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
    },
    ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
  });
  return { status: res.statusCode, headers: res.headers, body: (res.body ? JSON.parse(res.body) : null) as T };
}

async function newUser(role: Role, scope: string | null, over: { email?: string; password?: string } = {}): Promise<{ id: string; email: string }> {
  const email = over.email ?? `${uniq(role)}@people.test`;
  const res = await h.call<{ id: string }>('POST', '/v1/users', h.keys.admin, { name: `${role} 张三`, email, role, ...(scope ? { scope } : {}), password: over.password ?? PASSWORD });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, email };
}

const cookieOf = (res: Reply): string => String(res.headers['set-cookie']).split(';')[0]!;

async function signIn(email: string, password = PASSWORD): Promise<Signed> {
  const res = await request<{ user: { id: string }; csrfToken: string }>('POST', '/v1/auth/login', { body: { email, password } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { cookie: cookieOf(res), csrf: res.body.csrfToken, userId: res.body.user.id };
}

const auditCount = async (action: string, subjectId: string) =>
  (await h.db.select({ n: count() }).from(auditLog).where(and(eq(auditLog.subjectId, subjectId), eq(auditLog.action, action))))[0]!.n;

describe('signing in', () => {
  it('sets an HttpOnly SameSite=Strict session cookie, stores only its hash, and answers the session with the CSRF token', async () => {
    const u = await newUser('office', null);
    const res = await request<Json>('POST', '/v1/auth/login', { body: { email: u.email.toUpperCase(), password: PASSWORD } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.user).toEqual({ id: u.id, name: 'office 张三', email: u.email, role: 'office', scope: null });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^hc_session=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure');
    const token = cookieOf(res).slice('hc_session='.length);
    const rows = await h.db.select().from(userSessions).where(eq(userSessions.userId, u.id));
    expect(rows.map((r) => r.tokenHash)).toEqual([sha256(token)]);
    expect(JSON.stringify(rows)).not.toContain(token);

    const session = await request<Json>('GET', '/v1/auth/session', { cookie: cookieOf(res) });
    expect(session.status).toBe(200);
    expect(session.body).toEqual({ user: res.body.user, csrfToken: res.body.csrfToken });
    expect((await request('GET', '/v1/auth/session')).status).toBe(401);
    expect(await auditCount('auth.login', u.id)).toBe(1);
  });

  it('answers a wrong password and an unknown email with the same 401, and audits both', async () => {
    const u = await newUser('county', h.entA.countyCode);
    const wrong = await request<Json>('POST', '/v1/auth/login', { body: { email: u.email, password: 'not the password' } });
    const unknown = await request<Json>('POST', '/v1/auth/login', { body: { email: `${uniq('nobody')}@people.test`, password: PASSWORD } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect({ ...unknown.body }).toEqual({ ...wrong.body });
    expect(await auditCount('auth.login_failed', u.id)).toBe(1);
  });

  it('locks an account after 5 consecutive failures (423 with Retry-After, even for the right password) until the office unlocks it', async () => {
    const u = await newUser('department', h.entA.departmentCode);
    for (let i = 1; i <= 4; i++) expect((await request('POST', '/v1/auth/login', { body: { email: u.email, password: `wrong ${i}` } })).status).toBe(401);
    const fifth = await request<Json>('POST', '/v1/auth/login', { body: { email: u.email, password: 'wrong 5' } });
    expect(fifth.status).toBe(423);
    expect(fifth.headers['content-type']).toContain('application/problem+json');
    expect(fifth.body.code).toBe('ACCOUNT_LOCKED');
    expect(Number(fifth.headers['retry-after'])).toBeGreaterThan(800);
    const right = await request<Json>('POST', '/v1/auth/login', { body: { email: u.email, password: PASSWORD } });
    expect(right.status).toBe(423);
    expect(right.headers['set-cookie']).toBeUndefined();
    const listed = await h.call<Json>('GET', `/v1/users/${u.id}`, h.keys.office);
    expect(listed.body.lockedUntil).not.toBeNull();

    const unlocked = await h.call<Json>('POST', `/v1/users/${u.id}/unlock`, h.keys.office);
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.lockedUntil).toBeNull();
    await signIn(u.email);
    expect(await auditCount('user.unlocked', u.id)).toBe(1);
    expect(await auditCount('auth.login_refused', u.id)).toBe(1);
  });
});

describe('the session cookie', () => {
  it('refuses a write without the session’s CSRF token (403 naming x-csrf-token, nothing written) and takes it with the token', async () => {
    const u = await newUser('enterprise', h.entA.id);
    const s = await signIn(u.email);
    const before = await h.hazardCount();
    const body = reportBody({ enterpriseId: h.entA.id, source: 'SELF_INSPECTION' });
    const none = await request<Json>('POST', '/v1/hazards', { cookie: s.cookie, body });
    expect(none.status).toBe(403);
    expect(none.body.errors).toEqual([expect.objectContaining({ field: 'x-csrf-token' })]);
    const wrong = await request<Json>('POST', '/v1/hazards', { cookie: s.cookie, csrf: `${s.csrf.slice(0, -1)}x`, body });
    expect(wrong.status).toBe(403);
    expect(await h.hazardCount()).toBe(before);

    const made = await request<Json>('POST', '/v1/hazards', { cookie: s.cookie, csrf: s.csrf, body });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    h.track(`hazard:${made.body.id}`);
    // The ledger records the person, not a key.
    const first = await eventually(async () => (await h.call<Json>('GET', `/v1/hazards/${made.body.id}`, h.keys.office)).body.timeline?.[0], 30_000, 'the first ledger event');
    expect(first.actor).toEqual({ kind: 'user', userId: u.id, name: 'enterprise 张三', role: 'enterprise', scope: h.entA.id });
    const [event] = await h.db.select().from(hazardEvents).where(eq(hazardEvents.hazardId, made.body.id)).limit(1);
    expect(event!.actor).toMatchObject({ kind: 'user', userId: u.id, keyId: `user:${u.id}` });
  });

  it('ends at the idle timeout, at the absolute timeout, and at logout (the cookie cleared, the row gone)', async () => {
    const u = await newUser('reviewer', null);
    const idle = await signIn(u.email);
    const absolute = await signIn(u.email);
    const out = await signIn(u.email);
    const rowOf = async (s: Signed) => (await h.db.select().from(userSessions).where(eq(userSessions.tokenHash, sha256(s.cookie.slice('hc_session='.length)))))[0];
    await h.db.update(userSessions).set({ lastSeenAt: new Date(Date.now() - 3601_000) }).where(eq(userSessions.id, (await rowOf(idle))!.id));
    await h.db.update(userSessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(userSessions.id, (await rowOf(absolute))!.id));
    for (const s of [idle, absolute]) {
      const res = await request<Json>('GET', '/v1/cases', { cookie: s.cookie });
      expect(res.status).toBe(401);
      expect(String(res.headers['set-cookie'])).toContain('Max-Age=0');
      expect(await rowOf(s)).toBeUndefined();
    }
    expect((await request('GET', '/v1/cases', { cookie: out.cookie })).status).toBe(200);
    expect((await request('POST', '/v1/auth/logout', { cookie: out.cookie })).status).toBe(403);
    const bye = await request('POST', '/v1/auth/logout', { cookie: out.cookie, csrf: out.csrf });
    expect(bye.status).toBe(204);
    expect(String(bye.headers['set-cookie'])).toMatch(/^hc_session=; .*Max-Age=0/);
    expect(await rowOf(out)).toBeUndefined();
    expect((await request('GET', '/v1/auth/session', { cookie: out.cookie })).status).toBe(401);
  });

  it('gives a county user exactly its county through the scoped routes', async () => {
    const u = await newUser('county', h.entA.countyCode);
    const s = await signIn(u.email);
    const list = await request<Json>('GET', '/v1/enterprises?limit=500', { cookie: s.cookie });
    expect(list.status).toBe(200);
    expect(list.body.items.map((e: Json) => e.countyCode)).toEqual(list.body.items.map(() => h.entA.countyCode));
    expect(list.body.items.map((e: Json) => e.id)).toContain(h.entA.id);
    expect((await request('GET', `/v1/enterprises/${h.entB.id}`, { cookie: s.cookie })).status).toBe(404);
    expect((await request('GET', '/v1/api-keys', { cookie: s.cookie })).status).toBe(403);
  });
});

describe('password reset', () => {
  it('mails a one-time link (202 for any email), sets the password once, ends the sessions, and hides the link from the outbox list', async () => {
    const u = await newUser('county', h.entA.countyCode);
    const old = await signIn(u.email);
    const unknown = await request('POST', '/v1/auth/password-reset', { body: { email: `${uniq('nobody')}@people.test` } });
    const known = await request('POST', '/v1/auth/password-reset', { body: { email: u.email } });
    expect([unknown.status, known.status]).toEqual([202, 202]);
    expect(known.body).toEqual(unknown.body);

    const mail = await h.sink!.waitFor((m) => m.to !== undefined && JSON.stringify(m.to).includes(u.email), 30_000);
    const link = /http:\/\/api\.test\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '');
    expect(link, mail.text).not.toBeNull();
    const token = link![1]!;

    const weak = await request<Json>('POST', '/v1/auth/password-reset/confirm', { body: { token, password: 'short' } });
    expect(weak.status).toBe(422);
    expect(weak.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
    const fresh = 'a new and longer passphrase';
    expect((await request('POST', '/v1/auth/password-reset/confirm', { body: { token, password: fresh } })).status).toBe(204);
    expect((await request('GET', '/v1/auth/session', { cookie: old.cookie })).status).toBe(401);
    expect((await request('POST', '/v1/auth/login', { body: { email: u.email, password: PASSWORD } })).status).toBe(401);
    await signIn(u.email, fresh);

    const again = await request<Json>('POST', '/v1/auth/password-reset/confirm', { body: { token, password: 'yet another passphrase' } });
    expect(again.status).toBe(422);
    expect(again.body.errors).toEqual([expect.objectContaining({ field: 'token' })]);
    const outbox = await h.call<Json>('GET', '/v1/notifications?kind=PASSWORD_RESET&limit=500', h.keys.office);
    const shown = JSON.stringify(outbox.body);
    expect(shown).not.toContain(token);
  });
});

describe('accounts', () => {
  it('lets the office create the accounts it may grant, and refuses the rest naming the field', async () => {
    const office = await h.call<Json>('POST', '/v1/users', h.keys.office, { name: '王', email: `${uniq('x')}@people.test`, role: 'admin', password: PASSWORD });
    expect(office.status).toBe(403);
    expect(office.body.errors).toEqual([expect.objectContaining({ field: 'role' })]);
    const noScope = await h.call<Json>('POST', '/v1/users', h.keys.office, { name: '王', email: `${uniq('x')}@people.test`, role: 'county', password: PASSWORD });
    expect(noScope.status).toBe(422);
    expect(noScope.body.errors).toEqual([expect.objectContaining({ field: 'scope' })]);
    const weak = await h.call<Json>('POST', '/v1/users', h.keys.office, { name: '王', email: `${uniq('x')}@people.test`, role: 'county', scope: h.entA.countyCode, password: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
    const before = await h.db.select({ n: count() }).from(users);

    const made = await newUser('county', h.entA.countyCode);
    const twin = await h.call<Json>('POST', '/v1/users', h.keys.office, { name: '王', email: made.email.toUpperCase(), role: 'county', scope: h.entA.countyCode, password: PASSWORD });
    expect(twin.status).toBe(409);
    expect(twin.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
    expect((await h.db.select({ n: count() }).from(users))[0]!.n).toBe(before[0]!.n + 1);

    const admin = await newUser('admin', null);
    expect((await h.call('POST', `/v1/users/${admin.id}/disable`, h.keys.office)).status).toBe(403);
  });

  it('disables an account (its sessions end, it cannot sign in) and enables it again; lists accounts in pages', async () => {
    const u = await newUser('department', h.entA.departmentCode);
    const s = await signIn(u.email);
    const off = await h.call<Json>('POST', `/v1/users/${u.id}/disable`, h.keys.office);
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await request('GET', '/v1/hazards', { cookie: s.cookie })).status).toBe(401);
    expect((await request('POST', '/v1/auth/login', { body: { email: u.email, password: PASSWORD } })).status).toBe(401);
    expect((await h.call('POST', `/v1/users/${u.id}/disable`, h.keys.office)).status).toBe(409);
    expect((await h.call('POST', `/v1/users/${u.id}/enable`, h.keys.office)).status).toBe(200);
    await signIn(u.email);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Reply<Json> = await h.call<Json>('GET', `/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, h.keys.admin);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((x: Json) => x.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await h.db.select({ id: users.id }).from(users);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(all.map((x) => x.id).sort());
  });
});
