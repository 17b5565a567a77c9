import { fileURLToPath } from 'node:url'
import { findNodeImports } from '@wharf/tooling/node-imports'
import { describe, expect, it } from 'vitest'

describe('portability', () => {
  it('keeps the main and mock entries free of node: modules', () => {
    const dist = (f: string) => fileURLToPath(new URL(`../dist/${f}`, import.meta.url))
    expect(findNodeImports(dist('index.js'))).toEqual([])
    expect(findNodeImports(dist('mock/index.js'))).toEqual([])
  })
})
