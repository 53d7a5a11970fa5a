import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/temp-root.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Tests spawn real processes and compile real COBOL; 2 workers suit a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    // The AWS SDK's Node 20 end-of-support warning is the SDK's, not a test result (bin/cobolambda.mjs sets the same).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', ['json', { outputFile: '.cobolambda/test-results.json' }]],
  },
});
