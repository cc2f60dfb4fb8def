/**
 * The JWKS download over node:http(s) that jose uses instead of the global fetch
 * (shared/http/auth.ts fetchJwks): what jose needs of it, against a real local HTTP server.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, customFetch, errors, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchJwks } from '../../shared/http/auth.js';

let server: Server;
let base: string;
let jwks: { keys: object[] };
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/jwks.json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    else if (req.url === '/moved') res.writeHead(302, { location: '/jwks.json' }).end();
    else if (req.url === '/huge') res.writeHead(200, { 'content-type': 'application/json' }).end(`{"keys":[],"pad":"${'x'.repeat(300 * 1024)}"}`);
    // /hang: never answers
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('fetchJwks', () => {
  it('GETs the key set with the headers jose passes and answers a response jose reads', async () => {
    const res = await fetchJwks(`${base}/jwks.json`, { headers: new Headers({ accept: 'application/jwk-set+json', 'user-agent': 'jose' }), signal: AbortSignal.timeout(2000) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(jwks);
    expect(seen.at(-1)).toMatchObject({ accept: 'application/jwk-set+json', 'user-agent': 'jose' });
  });

  it('follows no redirect (jose asks for redirect: manual and then wants a 200)', async () => {
    expect((await fetchJwks(`${base}/moved`, {})).status).toBe(302);
  });

  it('reads no more than 256 KB, and only over http(s)', async () => {
    await expect(fetchJwks(`${base}/huge`, {})).rejects.toThrow(/larger than/);
    await expect(fetchJwks('file:///etc/passwd', {})).rejects.toThrow(TypeError);
  });

  it('gives up at the signal with a TimeoutError, which jose turns into JWKSTimeout', async () => {
    await expect(fetchJwks(`${base}/hang`, { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'TimeoutError' });
    const keys = createRemoteJWKSet(new URL(`${base}/hang`), { timeoutDuration: 50, [customFetch]: fetchJwks });
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setExpirationTime('5m').sign(privateKey);
    await expect(jwtVerify(token, keys)).rejects.toBeInstanceOf(errors.JWKSTimeout);
  });

  it('lets jose verify a token against the downloaded keys', async () => {
    const keys = createRemoteJWKSet(new URL(`${base}/jwks.json`), { [customFetch]: fetchJwks });
    const token = await new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setExpirationTime('5m').sign(privateKey);
    expect((await jwtVerify(token, keys)).payload.sub).toBe('u1');
  });
});
