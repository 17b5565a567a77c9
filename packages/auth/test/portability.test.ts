import { fileURLToPath } from 'node:url'
import { findNodeImports } from '@wharf/tooling/node-imports'
import { describe, expect, it } from 'vitest'

const dist = (f: string) => fileURLToPath(new URL(`../dist/${f}`, import.meta.url))

describe('portability', () => {
  it('keeps the main entry free of node: modules', () => {
    expect(findNodeImports(dist('index.js'))).toEqual([])
  })

  it('uses node: modules only behind ./docker-config', () => {
    expect(findNodeImports(dist('docker-config/index.js')).length).toBeGreaterThan(0)
  })
})
