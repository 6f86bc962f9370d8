/**
 * The node's web API as this browser uses it (docs/WEB.md): registers once
 * for a per-browser token (kept in localStorage: it only lets this browser
 * read its own sealed mailboxes, and holds no key), then sends it on every
 * request. A 401 (the node forgot us) registers again.
 */
import type { ApiErrorBody } from '../../seams/local-api.ts';

const TOKEN_KEY = 'meow-browser-token';

export class NodeApiError extends Error {
  override readonly name = 'NodeApiError';
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export class NodeApi {
  private token: string | null = localStorage.getItem(TOKEN_KEY);

  private async register(): Promise<string> {
    const res = await fetch('/api/browsers', { method: 'POST' });
    const body = (await res.json()) as { token?: string } & Partial<ApiErrorBody>;
    if (!res.ok || !body.token) throw new NodeApiError(res.status, body.error?.code ?? 'internal', body.error?.message ?? 'registration refused');
    localStorage.setItem(TOKEN_KEY, body.token);
    this.token = body.token;
    return body.token;
  }

  async call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = this.token ?? (await this.register());
      const res = await fetch(path, {
        method, ...(signal ? { signal } : {}),
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (res.status === 204) return undefined as T;
      const json = (await res.json()) as T & Partial<ApiErrorBody>;
      if (res.status === 401 && attempt === 0) {
        this.token = null;
        continue;
      }
      if (!res.ok) throw new NodeApiError(res.status, json.error?.code ?? 'internal', json.error?.message ?? res.statusText);
      return json;
    }
  }
}
