// Every call the console makes goes through here: the public /v1 API, as the signed-in person.
// How the person is known (the session cookie and its CSRF token) is auth.ts's business.
import { authHeaders, onUnauthorized } from './auth';

export interface FieldError {
  field: string;
  reason: string;
}

/** A problem+json answer (RFC 9457) or a network failure, as the pages show it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function request<T>(method: string, path: string, body?: unknown, opts: { quietUnauthorized?: boolean } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...authHeaders(UNSAFE.has(method)),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    throw new ApiError(0, err instanceof Error ? err.message : String(err));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json: unknown = text ? safeJson(text) : null;
  if (!res.ok) {
    const p = (json ?? {}) as { detail?: string; title?: string; errors?: FieldError[] };
    const retry = res.headers.get('retry-after');
    const error = new ApiError(res.status, p.detail ?? p.title ?? `${res.status}`, p.errors ?? [], retry ? Number(retry) : null);
    if (res.status === 401 && !opts.quietUnauthorized) onUnauthorized();
    throw error;
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body: unknown) => request<T>('POST', path, body);

/** A query string from the set values only. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A fresh key per submitted form: a retried click does the command once. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

/**
 * A GET whose answer may be large (an evidence bundle), read as it arrives: `onProgress` gets the
 * bytes so far and the total when the server said it. Gives the body as a Blob.
 */
export async function download(path: string, onProgress: (received: number, total: number | null) => void): Promise<Blob> {
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json', ...authHeaders(false) } });
  if (!res.ok) {
    const p = (await res.json().catch(() => ({}))) as { detail?: string; errors?: FieldError[] };
    if (res.status === 401) onUnauthorized();
    throw new ApiError(res.status, p.detail ?? String(res.status), p.errors ?? []);
  }
  const length = Number(res.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onProgress(received, total);
  }
  return new Blob(chunks as BlobPart[], { type: res.headers.get('content-type') ?? 'application/octet-stream' });
}

/**
 * A file sent as multipart/form-data (one part, `field`), with the upload's progress: `onProgress`
 * gets the bytes sent and the total. XMLHttpRequest because fetch tells nothing of an upload's progress.
 * Answers as request() does: the JSON, or an ApiError from the problem JSON.
 */
export function upload<T>(path: string, field: string, file: Blob, filename: string, onProgress: (sent: number, total: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    for (const [k, v] of Object.entries(authHeaders(true))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'network error'));
    xhr.onload = () => {
      const json = xhr.responseText ? safeJson(xhr.responseText) : null;
      if (xhr.status >= 200 && xhr.status < 300) return resolve(json as T);
      const p = (json ?? {}) as { detail?: string; title?: string; errors?: FieldError[] };
      if (xhr.status === 401) onUnauthorized();
      reject(new ApiError(xhr.status, p.detail ?? p.title ?? `${xhr.status}`, p.errors ?? []));
    };
    const form = new FormData();
    form.append(field, file, filename);
    xhr.send(form);
  });
}
