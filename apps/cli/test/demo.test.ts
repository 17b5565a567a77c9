import { expect, it } from 'vitest'
import { wharf } from './helpers.js'

it('wharf demo runs a verified round trip through the embedded mocks', async () => {
  const r = await wharf(['demo'], { timeout: 120_000 })
  expect(r.code, r.stderr).toBe(0)
  expect(r.stdout).toContain('$ wharf oci push')
  expect(r.stdout).toContain('✓ pulled layer verified')
  expect(r.stdout.trim().split('\n').at(-1)).toBe('demo: every step verified')
}, 150_000)
