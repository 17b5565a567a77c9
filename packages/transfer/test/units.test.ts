import { fileURLToPath } from 'node:url'
import { findNodeImports } from '@wharf/tooling/node-imports'
import { describe, expect, it } from 'vitest'

describe('package entries', () => {
  it('the main entry imports no node: module; ./node does', () => {
    const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url))
    expect(findNodeImports(dist('index.js'))).toEqual([])
    expect(findNodeImports(dist('node/index.js')).length).toBeGreaterThan(0)
  })
})
