import { defineConfig } from 'vitest/config'

/** The vitest configuration every package uses: node environment, generous stream timeouts. */
export function packageConfig() {
  return defineConfig({
    test: {
      environment: 'node',
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  })
}
