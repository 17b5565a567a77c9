import { fileURLToPath } from 'node:url'
import { findNodeImports } from '@wharf/tooling/node-imports'
import { describe, expect, it } from 'vitest'

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url))

describe('portability', () => {
  it('the main entry and ./mock import no node: module', () => {
    expect(findNodeImports(dist('index.js'))).toEqual([])
    expect(findNodeImports(dist('mock/index.js'))).toEqual([])
    expect(findNodeImports(dist('node/index.js')).length).toBeGreaterThan(0)
  })
})
