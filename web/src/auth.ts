// The one module that knows how a person is signed in: the HttpOnly session cookie set by
// POST /v1/auth/login (the browser keeps and sends it; this code never sees it) and the CSRF
// token that every unsafe request carries as x-csrf-token.
import { ApiError, request } from './api';
import { store } from './store';

export type Role = 'admin' | 'office' | 'department' | 'county' | 'enterprise' | 'reviewer';

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  /** A county or department code, an enterprise id, or null (city-wide). */
  scope: string | null;
}

export interface Session {
  user: User;
  csrfToken: string;
}

/** undefined: not known yet (the first GET /v1/auth/session is on its way); null: signed out. */
export const session = store<Session | null | undefined>(undefined);

export function authHeaders(unsafe: boolean): Record<string, string> {
  const s = session.get();
  return unsafe && s ? { 'x-csrf-token': s.csrfToken } : {};
}

/** A 401 on any call: the session ended (expired, signed out elsewhere); show the sign-in page. */
export function onUnauthorized(): void {
  if (session.get()) session.set(null);
}

export async function loadSession(): Promise<void> {
  try {
    session.set(await request<Session>('GET', '/v1/auth/session', undefined, { quietUnauthorized: true }));
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 404)) session.set(null);
    else throw err;
  }
}

export async function signIn(email: string, password: string): Promise<void> {
  session.set(await request<Session>('POST', '/v1/auth/login', { email, password }, { quietUnauthorized: true }));
}

export async function signOut(): Promise<void> {
  await request('POST', '/v1/auth/logout', {}).catch(() => undefined);
  session.set(null);
}

export async function requestPasswordReset(email: string): Promise<void> {
  await request('POST', '/v1/auth/password-reset', { email }, { quietUnauthorized: true });
}

export async function confirmPasswordReset(token: string, password: string): Promise<void> {
  await request('POST', '/v1/auth/password-reset/confirm', { token, password }, { quietUnauthorized: true });
}
