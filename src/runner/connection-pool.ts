/**
 * One persistent connection per host for the whole run, opened on first use. `closeAll()` ends
 * them (an interrupt calls it while tasks still run: closing a host's connection ends what runs
 * there); once closed, the pool opens nothing and its connections run no further command.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Connection, Vars } from '../api/types.js';
import { createConnection } from '../connectors/index.js';

export class ConnectionPool {
  private readonly conns = new Map<string, Promise<Connection>>();
  /** Every connection created, opened or still connecting. */
  private readonly created: Connection[] = [];
  private closed = false;

  constructor(private readonly inventoryFile: string, private readonly varsOf: (host: string) => Vars) {}

  get(host: string): Promise<Connection> {
    if (this.closed) return Promise.reject(closedError(host));
    let c = this.conns.get(host);
    if (!c) {
      c = (async () => {
        const conn = createConnection(host, this.varsOf(host), inventoryDir(this.inventoryFile));
        this.created.push(conn);
        await conn.connect();
        if (this.closed) {
          await conn.close(); // opened while the pool was closing
          throw closedError(host);
        }
        return this.guard(conn);
      })();
      this.conns.set(host, c);
    }
    return c;
  }

  get roundTrips(): number {
    return this.created.reduce((n, c) => n + c.roundTrips, 0);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.created.map((c) => c.close()));
  }

  /**
   * The connection as tasks see it: the same object, except that exec() refuses once the pool is
   * closed (a task cut off by an interrupt may still be on its way to its next command, and a
   * connector would otherwise reconnect for it).
   */
  private guard(conn: Connection): Connection {
    const pool = this;
    return new Proxy(conn, {
      get(target, prop) {
        if (prop === 'exec') {
          return (...args: Parameters<Connection['exec']>) => (pool.closed ? Promise.reject(closedError(target.host)) : target.exec(...args));
        }
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }
}

function closedError(host: string): Error {
  return new Error(`${host}: the run was interrupted (its connection is closed)`);
}

/** Relative paths in connection variables (key files, known_hosts) are relative to the inventory: its directory, or the inventory itself when `-i` named a directory. */
export function inventoryDir(inventory: string): string {
  const abs = path.resolve(inventory);
  try {
    if (fs.statSync(abs).isDirectory()) return abs;
  } catch {
    // not there: the loader has said so already
  }
  return path.dirname(abs);
}
