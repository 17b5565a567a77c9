import { fileURLToPath } from 'node:url'
import { findNodeImports } from '@wharf/tooling/node-imports'
import { describe, expect, it } from 'vitest'
import { formatScope, parseScope } from '../../src/mock/auth.js'
import { createMockRegistry } from '../../src/mock/index.js'
import { parseRange } from '../../src/mock/ranges.js'
import { route } from '../../src/mock/router.js'

describe('route', () => {
  it.each([
    ['/v2/', { kind: 'base' }],
    ['/v2', { kind: 'base' }],
    ['/v2/_catalog', { kind: 'catalog' }],
    ['/v2/a/tags/list', { kind: 'tags', name: 'a' }],
    [
      '/v2/team/manifests/app/manifests/v1',
      { kind: 'manifest', name: 'team/manifests/app', reference: 'v1' },
    ],
    ['/v2/a/b/referrers/sha256:abc', { kind: 'referrers', name: 'a/b', digest: 'sha256:abc' }],
    ['/v2/a/blobs/uploads/', { kind: 'uploadStart', name: 'a' }],
    ['/v2/a/blobs/uploads', { kind: 'uploadStart', name: 'a' }],
    ['/v2/a/blobs/uploads/123', { kind: 'upload', name: 'a', id: '123' }],
    [
      '/v2/x/blobs/uploads/blobs/sha256:1',
      { kind: 'blob', name: 'x/blobs/uploads', digest: 'sha256:1' },
    ],
    ['/v2/a/blobs/sha256%3A1', { kind: 'blob', name: 'a', digest: 'sha256:1' }],
    ['/v2/a/unknown', undefined],
    ['/v2/%E0%A4%A', undefined],
    ['/token', undefined],
  ])('%s', (path, expected) => {
    expect(route(path)).toEqual(expected)
  })
})

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-1000', 100, { start: 0, end: 99 }],
    ['bytes=50-5000', 100, { start: 50, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=5-4', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-', 0, 'unsatisfiable'],
    ['bytes=-', 100, undefined],
    ['bytes=0-1,3-4', 100, undefined],
    [null, 100, undefined],
  ])('%s of %i bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected)
  })
})

describe('scopes', () => {
  it.each([
    [
      'repository:acme/app:pull,push',
      { type: 'repository', name: 'acme/app', actions: ['pull', 'push'] },
    ],
    [
      'repository:localhost:5000/app:pull',
      { type: 'repository', name: 'localhost:5000/app', actions: ['pull'] },
    ],
    ['repository(plugin):a:pull', { type: 'repository', name: 'a', actions: ['pull'] }],
    ['registry:catalog:*', { type: 'registry', name: 'catalog', actions: ['*'] }],
    ['repository:a:', { type: 'repository', name: 'a', actions: [] }],
    ['nonsense', undefined],
    ['repository::pull', undefined],
  ])('parses %s', (scope, expected) => {
    expect(parseScope(scope)).toEqual(expected)
  })

  it('formats needs back', () => {
    expect(
      formatScope([
        { type: 'repository', name: 'a', actions: ['pull', 'push'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
      ]),
    ).toBe('repository:a:pull,push registry:catalog:*')
  })
})

describe('options', () => {
  it.each([
    [{ maxBytes: -1 }, /maxBytes/],
    [{ referrersPageSize: 0 }, /referrersPageSize/],
    [{ maxPageSize: 1.5 }, /maxPageSize/],
    [{ origin: 'http://same.mock', storageOrigin: 'http://same.mock/x' }, /must differ/],
  ])('refuses %o', (options, message) => {
    expect(() => createMockRegistry(options)).toThrow(message)
  })
})

it('the built ./mock entry imports no node: module', () => {
  const entry = fileURLToPath(new URL('../../dist/mock/index.js', import.meta.url))
  expect(findNodeImports(entry)).toEqual([])
})
