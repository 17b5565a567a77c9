import { fileURLToPath } from 'node:url'
import { readmeExamples } from '@wharf/tooling/readme'
import { expect, it } from 'vitest'
import { digestOf } from '../src/index.js'

const dir = fileURLToPath(new URL('..', import.meta.url))

it('README examples are the files that the tests run', () => {
  const examples = readmeExamples(dir)
  expect(examples.map((e) => e.file)).toEqual([
    'examples/verify.ts',
    'examples/download.ts',
    'examples/multipart.ts',
    'examples/chunked.ts',
  ])
  for (const e of examples) expect(e.inReadme).toBe(e.onDisk)
})

it('the verify example passes good bytes and types a mismatch', async () => {
  const { text, digest, failure } = await import('../examples/verify.js')
  expect(text).toBe('hello, wharf')
  expect(digest.equals(digestOf('hello, wharf'))).toBe(true)
  expect(failure).toBe('ERR_DIGEST_MISMATCH')
})

it('the download example fetches three parts to a verified file', async () => {
  const { size, parts, intact, digest } = await import('../examples/download.js')
  expect(size).toBe(3 * 1024 * 1024)
  expect(parts.sort()).toEqual([1, 2, 3])
  expect(intact).toBe(true)
  expect(digest.algorithm).toBe('sha256')
})

it('the multipart example uploads three parts', async () => {
  const { result } = await import('../examples/multipart.js')
  expect(result).toBe(`upload-of-3-parts: 2500 bytes, ${digestOf('a'.repeat(2500))}`)
})

it('the chunked example recovers from the lost chunk', async () => {
  const { received, size, digest, patches } = await import('../examples/chunked.js')
  expect(received).toBe('0123456789abcdefghij')
  expect(size).toBe(20)
  expect(digest.equals(digestOf('0123456789abcdefghij'))).toBe(true)
  expect(patches).toBe(4)
})
