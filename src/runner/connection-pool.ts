/** One persistent connection per host for the whole run, opened on first use. */
import path from 'node:path';
import type { Connection, Vars } from '../api/types.js';
import { createConnection } from '../connectors/index.js';

export class ConnectionPool {
  private readonly conns = new Map<string, Promise<Connection>>();
  private readonly opened: Connection[] = [];

  constructor(private readonly inventoryFile: string, private readonly varsOf: (host: string) => Vars) {}

  get(host: string): Promise<Connection> {
    let c = this.conns.get(host);
    if (!c) {
      c = (async () => {
        const conn = createConnection(host, this.varsOf(host), path.dirname(path.resolve(this.inventoryFile)));
        await conn.connect();
        this.opened.push(conn);
        return conn;
      })();
      this.conns.set(host, c);
    }
    return c;
  }

  get roundTrips(): number {
    return this.opened.reduce((n, c) => n + c.roundTrips, 0);
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.opened.map((c) => c.close()));
  }
}
