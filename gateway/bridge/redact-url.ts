/**
 * A relay URL as it may appear in logs and status: without the
 * `user:pass@` of basic authentication (security review L3).
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '<unparsable URL>';
  }
}
