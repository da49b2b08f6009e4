import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlConfig, http as httpAction, parseCurl } from '../../../src/operations/http.js';
import { apply, makeCtx } from './ctx.js';

let server: http.Server;
let base = '';
const seen: { method?: string; body: string; headers: http.IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, body, headers: req.headers });
      if (req.url === '/primary') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"role":"primary","state":"running"}');
      if (req.url === '/replica') return res.writeHead(503).end('not a replica\n');
      res.writeHead(201).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('http config and parsing', () => {
  it('escapes values in the curl config', () => {
    const c = curlConfig({ url: 'http://h/"x"', body: 'a\\b\n"c"', headers: { Authorization: 'Basic abc' } });
    expect(c).toContain('url = "http://h/\\"x\\""');
    expect(c).toContain('data-raw = "a\\\\b\\n\\"c\\""');
    expect(c).toContain('header = "Authorization: Basic abc"');
  });

  it('parses status and JSON', () => {
    expect(parseCurl('{"a":1}\nPGPLAY-HTTP-STATUS:200')).toEqual({ status: 200, body: '{"a":1}', json: { a: 1 } });
  });
});

describe('http on the host', () => {
  it('GET with the expected status is ok, with JSON', async () => {
    const r = await apply(httpAction({ url: `${base}/primary` }));
    expect(r).toMatchObject({ status: 'ok', trips: 1, data: { status: 200, json: { role: 'primary' } } });
  });

  it('an unexpected status fails, naming it', async () => {
    const r = await apply(httpAction({ url: `${base}/replica` }));
    expect(r).toMatchObject({ status: 'failed', msg: `GET ${base}/replica returned 503 (expected 200): not a replica`, data: { status: 503 } });
    expect((await apply(httpAction({ url: `${base}/replica`, status: [200, 503] }))).status).toBe('ok');
  });

  it('POST a JSON body with headers; not sent in check mode', async () => {
    seen.length = 0;
    const r = await apply(httpAction({ url: `${base}/x`, method: 'post', body: { a: "it's" }, headers: { 'X-Token': 't' }, status: [201] }));
    expect(r).toMatchObject({ status: 'ok', data: { status: 201, json: { a: "it's" } } });
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{"a":"it\'s"}', headers: { 'content-type': 'application/json', 'x-token': 't' } });
    const c = await apply(httpAction({ url: `${base}/x`, method: 'POST', body: 'x' }), makeCtx({ check: true }));
    expect(c).toMatchObject({ status: 'skipped', trips: 0 });
  });

  it('connection refused fails with curl\'s message', async () => {
    const r = await apply(httpAction({ url: 'http://127.0.0.1:1/', timeout: 5 }));
    expect(r.status).toBe('failed');
    expect(r.msg).toMatch(/Failed to connect|Couldn't connect/);
  });
});
