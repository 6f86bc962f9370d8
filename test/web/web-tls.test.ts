/**
 * The web client over HTTPS with the operator's certificate (web.tls,
 * docs/WEB.md "Secure context"), on a real meow-node process: the page and
 * the API answer over TLS with the same Content Security Policy to a client
 * that trusts the certificate, /where names https:// addresses, plain HTTP
 * on that port gets nothing, and a missing certificate file stops the node
 * with a sentence, not a stack trace. The certificate is made by openssl.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCommand, missingTool } from '../support/required-tool.ts';
import { startWebNode, stopNode, until, type WebNode } from './support.ts';
import { freePorts } from '../support/free-port.ts';

const skip = missingTool('openssl', hasCommand('openssl'), 'the HTTPS test makes its certificate with openssl');
const port = await freePorts(6);

function get(url: string, ca: Buffer): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

describe.skipIf(skip)('web client over HTTPS', () => {
  const root = mkdtempSync(join(tmpdir(), 'meow-web-tls-'));
  const nodes: WebNode[] = [];
  afterAll(async () => {
    for (const n of nodes) await stopNode(n);
  });

  it('serves the page and the API over TLS with the operator\'s certificate, and refuses a missing one clearly', async () => {
    const cert = join(root, 'cert.pem');
    const key = join(root, 'key.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const ca = readFileSync(cert);

    const a = startWebNode(root, 'a', { udp: port[0]!, peer: port[1]!, status: port[2]!, web: port[3]! }, { tls: { cert, key } });
    nodes.push(a);
    const url = `https://127.0.0.1:${a.webPort}`;
    const page = await until(async () => get(`${url}/`, ca), 60_000, 'the web client over HTTPS');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(JSON.parse((await get(`${url}/where`, ca)).body)).toEqual({ urls: [`${url}`] });
    expect(a.out).toContain(`web client for phones at ${url}`);
    // Plain HTTP to the TLS port: no answer a browser could show.
    await expect(fetch(`http://127.0.0.1:${a.webPort}/`)).rejects.toThrow();
    // A certificate nobody vouched for is refused by a client that does not trust it.
    await expect(get(`${url}/`, Buffer.from(''))).rejects.toThrow();

    const b = startWebNode(root, 'b', { udp: port[1]!, peer: port[0]!, status: port[4]!, web: port[5]! }, { tls: { cert: join(root, 'missing.pem'), key } });
    nodes.push(b);
    const code = await new Promise<number | null>((resolve) => b.child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(b.out).toContain(`cannot start the web client: cannot read web.tls.cert ${join(root, 'missing.pem')}: no such file`);
    expect(b.out).not.toMatch(/ENOENT|\n\s+at /);
  }, 120_000);
});
