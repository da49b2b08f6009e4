import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * End-to-end tests share one sandbox per run: files run one after another, in this order
 * (the sandbox test recreates hosts; later files build on the clusters earlier ones installed).
 */
const ORDER = ['sandbox', 'sandbox-instances', 'trust', 'ping', 'interrupt', 'pgsql', 'access', 'backup', 'pitr', 'monitoring'];

class OrderedSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = ORDER.indexOf(path.basename(f.moduleId).replace(/\.test\.ts$/, ''));
      return i < 0 ? ORDER.length : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    sequence: { sequencer: OrderedSequencer },
    testTimeout: 15 * 60_000,
    hookTimeout: 20 * 60_000,
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});
