import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventoryDir } from '../../../src/runner/connection-pool.js';

describe('inventoryDir: where relative connection paths resolve', () => {
  it('an inventory file: its directory; an inventory directory (-i DIR): itself', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-invdir-'));
    fs.writeFileSync(path.join(dir, 'hosts.yml'), 'all: {}\n');
    expect(inventoryDir(path.join(dir, 'hosts.yml'))).toBe(dir);
    expect(inventoryDir(dir)).toBe(dir);
    fs.rmSync(dir, { recursive: true });
  });
});
