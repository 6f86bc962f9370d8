/**
 * The CLI's side of the node's local API (seams/local-api.ts, docs/API.md).
 * Which node: --node URL, else MEOW_NODE, else the address the node wrote
 * to <dataDir>/api.url when it started, else 127.0.0.1:8471. The data
 * directory (--data-dir, MEOW_DATA_DIR, else ./.meow-data) holds the bearer
 * token the API wants (<dataDir>/api.token, readable by the node's user
 * only). Every refusal becomes a CliError in plain words.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { createParser } from 'eventsource-parser';
import {
  type AgentEvent, API_TOKEN_FILE, type ApiErrorBody, type ApiErrorCode, type ContactView, DEFAULT_LOCAL_API_PORT,
} from '../../seams/local-api.ts';
import { closestFlag } from '../flags.ts';
import { CliError } from './errors.ts';
import { type CliIo, resolvePath } from './io.ts';

/** Flags every command that talks to a node accepts. */
export const NODE_OPTIONS = {
  'data-dir': { type: 'string', short: 'd' },
  node: { type: 'string' },
} as const;

const DEFAULT_DATA_DIR = '.meow-data';
/** Longest a request waits for the node (an unlock runs scrypt: about a second). */
const REQUEST_TIMEOUT_MS = 30_000;

/** Refusals that are about what the user typed (exit 2); the others are about the node's state (exit 1). */
const BAD_INPUT_CODES: ReadonlySet<ApiErrorCode> = new Set<ApiErrorCode>([
  'bad-json', 'bad-request', 'wrong-password', 'not-found', 'unknown-contact', 'unknown-message', 'bad-card',
  'own-invitation', 'card-mismatch', 'policy-unsupported', 'message-too-large', 'payload-too-large', 'already-initialized',
]);

export interface NodeTarget {
  readonly url: string;
  readonly dataDir: string;
  /** How to name the data directory in a command we suggest ("" for the default). */
  readonly dataDirFlag: string;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

export async function nodeTarget(io: CliIo, values: { 'data-dir'?: string | undefined; node?: string | undefined }): Promise<NodeTarget> {
  const given = values['data-dir'] ?? io.env.MEOW_DATA_DIR;
  const dataDir = resolvePath(io, given ?? DEFAULT_DATA_DIR);
  const rel = relative(io.cwd, dataDir);
  const dataDirFlag = given === undefined ? '' : ` --data-dir ${rel === '' ? '.' : rel.startsWith('..') ? dataDir : rel}`;
  const url = values.node ?? io.env.MEOW_NODE ?? await readOptional(`${dataDir}/api.url`) ?? `http://127.0.0.1:${DEFAULT_LOCAL_API_PORT}`;
  if (!URL.canParse(url)) throw new CliError('bad-input', `--node must be the node's address, e.g. http://127.0.0.1:${DEFAULT_LOCAL_API_PORT}`);
  return { url: url.replace(/\/+$/, ''), dataDir, dataDirFlag };
}

export class NodeClient {
  private constructor(readonly target: NodeTarget, private readonly token: string) {}

  static async open(io: CliIo, values: { 'data-dir'?: string | undefined; node?: string | undefined }): Promise<NodeClient> {
    const target = await nodeTarget(io, values);
    const token = await readOptional(`${target.dataDir}/${API_TOKEN_FILE}`);
    if (token === undefined) {
      const rel = relative(io.cwd, target.dataDir);
      const shown = rel === '' ? '.' : rel.startsWith('..') ? target.dataDir : rel;
      throw new CliError('runtime', `no meow-node has run with the data directory ${shown} `
        + `(no ${API_TOKEN_FILE} there): start one with \`npx meow-node${target.dataDirFlag}\`, or give the node's --data-dir`);
    }
    return new NodeClient(target, token);
  }

  private notRunning(): CliError {
    return new CliError('runtime', `no meow-node answers at ${this.target.url}: start it with \`npx meow-node${this.target.dataDirFlag}\``);
  }

  private async fetch(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetch(`${this.target.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError' && signal?.aborted) throw error;
      throw this.notRunning();
    }
  }

  /** One request; the parsed answer, or the API's refusal as a CliError. */
  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(method, path, body);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new CliError('runtime', `the node at ${this.target.url} answered HTTP ${response.status} with something that is not JSON: is it a meow-node?`);
    }
    if (!response.ok) throw this.refusal(response.status, parsed);
    return parsed as T;
  }

  private refusal(status: number, body: unknown): CliError {
    const error = (body as Partial<ApiErrorBody> | undefined)?.error;
    if (!error || typeof error.code !== 'string') return new CliError('runtime', `the node at ${this.target.url} answered HTTP ${status}`);
    const hint: Partial<Record<ApiErrorCode, string>> = {
      'no-identity': 'create your identity first: `meow init`',
      locked: 'unlock it first: `meow unlock`',
      unauthorized: `the token in ${this.target.dataDir}/${API_TOKEN_FILE} is not this node's: give the node's --data-dir`,
      'already-initialized': 'this node already has an identity: `meow unlock` opens it',
    };
    // The node's own message may already say what to run.
    const more = error.message.includes('`meow') ? undefined : hint[error.code];
    return new CliError(BAD_INPUT_CODES.has(error.code) ? 'bad-input' : 'runtime', `${error.message}${more ? ` (${more})` : ''}`);
  }

  /** The node's event stream (GET /v1/events) until `signal` aborts. */
  async *events(signal: AbortSignal): AsyncGenerator<AgentEvent> {
    const response = await this.fetch('GET', '/v1/events', undefined, signal);
    if (!response.ok || !response.body) throw this.refusal(response.status, await response.json().catch(() => undefined));
    const queue: AgentEvent[] = [];
    const parser = createParser({
      onEvent: (message) => {
        try {
          queue.push(JSON.parse(message.data) as AgentEvent);
        } catch {
          // a malformed event is skipped: the stream goes on
        }
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
        while (queue.length > 0) yield queue.shift()!;
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
  }

  /** A contact by name (any case) or id; a CliError listing the known ones (and the closest) otherwise. */
  async contact(nameOrId: string): Promise<ContactView> {
    const { contacts } = await this.request<{ contacts: ContactView[] }>('GET', '/v1/contacts');
    const wanted = nameOrId.toLowerCase();
    const found = contacts.find((c) => c.name.toLowerCase() === wanted) ?? contacts.find((c) => c.id === wanted);
    if (found) return found;
    const suggestion = closestFlag(wanted, contacts.map((c) => c.name.toLowerCase()));
    const known = contacts.length === 0 ? 'you have no contacts yet: `meow card create NAME`' : `your contacts: ${contacts.map((c) => c.name).join(', ')}`;
    throw new CliError('bad-input', `no contact named "${nameOrId}"${suggestion ? `: did you mean ${suggestion}?` : ''} (${known})`);
  }
}
