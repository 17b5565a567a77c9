import { fileURLToPath } from 'node:url'
import { readmeExamples } from '@wharf/tooling/readme'
import { expect, it } from 'vitest'

const dir = fileURLToPath(new URL('..', import.meta.url))

it('README examples are the files that the tests run', () => {
  const examples = readmeExamples(dir)
  expect(examples.map((e) => e.file)).toEqual([
    'examples/search.ts',
    'examples/push.ts',
    'examples/pull.ts',
  ])
  for (const e of examples) expect(e.inReadme).toBe(e.onDisk)
})

it('the search example finds containers and arch-limited images on the mock server', async () => {
  const { containers, refs, ref } = await import('../examples/search.js')
  expect(containers.sort()).toEqual(['alice/tools/alpine', 'alice/tools/alpine-tools'])
  expect(refs).toEqual(['library:alice/tools/alpine-tools:latest'])
  expect(ref).toEqual({ host: '', path: 'alice/tools/alpine-tools', tags: ['latest'] })
})

it('the push example uploads a file in parts and the library has its hash', async () => {
  const { done, parts, sameHash } = await import('../examples/push.js')
  expect(parts).toBe(3)
  expect(done).toEqual({
    quota: { quotaTotal: 2 ** 40, quotaUsage: 20 * 1024 * 1024 },
    containerUrl: 'entities/alice/collections/tools/containers/alpine',
  })
  expect(sameHash).toBe(true)
})

it('the pull example downloads a verified file and a stream, and reads a typed 404', async () => {
  const { identical, missing, pulled, streamed } = await import('../examples/pull.js')
  expect(identical).toBe(true)
  expect(streamed).toBe(12 * 1024 * 1024)
  expect(pulled.size).toBe(12 * 1024 * 1024)
  expect(missing).toBe('404 ERR_NOT_FOUND')
})
