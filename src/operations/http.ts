/**
 * http: an HTTP request made ON THE HOST with curl (so it sees the host's network, e.g. Patroni's
 * REST API on 127.0.0.1:8008). Everything (URL, headers, body) reaches curl as a config on stdin,
 * never on the command line. ok when the status is expected, failed otherwise.
 */
import type { Action } from '../api/types.js';
import { defineModule, fail, run, tail } from './common.js';

export interface HttpArgs {
  url: string;
  /** Default GET. */
  method?: string;
  /** Expected status codes (default [200]). */
  status?: readonly number[];
  /** A string is sent as is; anything else as JSON (with Content-Type: application/json). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Seconds (default 30). */
  timeout?: number;
  /** Include the body in the result data (default true). */
  return_content?: boolean;
  /** Default true; false accepts any TLS certificate. */
  validate_certs?: boolean;
}

export interface HttpData {
  status: number;
  body?: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
}

const MARK = '\nPGPLAY-HTTP-STATUS:';

/** A double-quoted curl config value. */
function cfg(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** The curl config (read with `curl -K -`). */
export function curlConfig(a: HttpArgs): string {
  const headers = { ...a.headers };
  let body: string | undefined;
  if (a.body !== undefined) {
    body = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    if (typeof a.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  const lines = [
    `url = ${cfg(a.url)}`,
    `request = ${cfg(a.method ?? 'GET')}`,
    `max-time = ${a.timeout ?? 30}`,
    'silent',
    'show-error',
    `write-out = ${cfg(`${MARK}%{http_code}`)}`,
    ...Object.entries(headers).map(([k, v]) => `header = ${cfg(`${k}: ${v}`)}`),
  ];
  if (body !== undefined) lines.push(`data-raw = ${cfg(body)}`);
  if (a.validate_certs === false) lines.push('insecure');
  return lines.join('\n') + '\n';
}

/** Status and body from curl's output. */
export function parseCurl(stdout: string): HttpData {
  const at = stdout.lastIndexOf(MARK);
  if (at < 0) return { status: 0, body: stdout };
  const body = stdout.slice(0, at);
  const data: HttpData = { status: Number(stdout.slice(at + MARK.length).trim()), body };
  try {
    data.json = JSON.parse(body);
  } catch {
    // not JSON
  }
  return data;
}

export const httpModule = defineModule<HttpArgs>('http', async (args, ctx) => {
  const method = (args.method ?? 'GET').toUpperCase();
  const what = `${method} ${args.url}`;
  if (ctx.check && method !== 'GET' && method !== 'HEAD') return { status: 'skipped', msg: `${what}: not sent in check mode` };
  const r = await run(ctx, 'curl -K -', { stdin: curlConfig({ ...args, method }), timeoutMs: ((args.timeout ?? 30) + 15) * 1000 });
  if (r.rc !== 0) fail(`${what} failed`, r);
  const parsed = parseCurl(r.stdout);
  const data: HttpData = args.return_content === false ? { status: parsed.status } : parsed;
  const expected = args.status ?? [200];
  if (!expected.includes(parsed.status)) {
    const body = parsed.body?.trim() ? `: ${tail(parsed.body, 3)}` : '';
    return { status: 'failed', msg: `${what} returned ${parsed.status} (expected ${expected.join(' or ')})${body}`, data };
  }
  return { status: 'ok', msg: `${what}: ${data.status}`, data };
}, ['headers', 'body']);

/** An HTTP request from the host (REST health checks and the like). */
export function http(args: HttpArgs): Action<HttpArgs> {
  return { module: httpModule, args };
}
