/**
 * Why meow-node or meow-relay could not start, in words: Node's own texts ("bind
 * EADDRINUSE 0.0.0.0:6370", "EEXIST: file already exists, mkdir '...'",
 * "ENOENT: no such file or directory, open '...'") name system calls and
 * error codes a user has no use for.
 */

/** Node's texts for a port in use ("bind EADDRINUSE 0.0.0.0:6370", "listen EADDRINUSE: address already in use 127.0.0.1:8470"). */
const PORT_IN_USE = /\b(?:bind|listen) EADDRINUSE(?:: address already in use)?(?: (\S+))?$/;
/** A broker or peer that is not there ("connect ECONNREFUSED 127.0.0.1:1883"). */
const REFUSED = /\bconnect ECONNREFUSED(?: (\S+))?$/;

function portInUse(_match: string, address: string | undefined): string {
  return `${address ?? 'the port'} is in use by another program (another meow-node or meow-relay?): give another port`;
}

function refused(_match: string, address: string | undefined): string {
  return `nothing answers at ${address ?? 'that address'} (is it running?)`;
}

/** What a file system code means for a path the node was given. */
const FILE_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** A file system refusal's reason in words (the path left out), or the error's own message. */
export function fileReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code in FILE_REASONS ? FILE_REASONS[code]! : error instanceof Error ? error.message : String(error);
}

/** The message of an error, without the "Error: Error:" nesting some libraries produce, nor Node's codes. */
export function describeStartError(error: unknown): string {
  const e = error as NodeJS.ErrnoException | undefined;
  if (error instanceof Error && typeof e?.code === 'string' && e.code in FILE_REASONS) {
    return e.path === undefined ? FILE_REASONS[e.code]! : `${e.path}: ${FILE_REASONS[e.code]}`;
  }
  return inWords(error instanceof Error ? error.message : String(error));
}

/** A message with Node's codes for a port in use or a refused connection put in words (the rest kept). */
export function inWords(message: string): string {
  return message.replace(/^(Error: )+/, '').replace(PORT_IN_USE, portInUse).replace(REFUSED, refused);
}
