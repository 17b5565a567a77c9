import { fileURLToPath } from 'node:url'
import { readmeExamples } from '@wharf/tooling/readme'
import { expect, it } from 'vitest'
import { digestOf } from '../src/index.js'

const dir = fileURLToPath(new URL('..', import.meta.url))

it('README examples are the files that the tests run', () => {
  const examples = readmeExamples(dir)
  expect(examples.map((e) => e.file)).toEqual(['examples/verify.ts'])
  for (const e of examples) expect(e.inReadme).toBe(e.onDisk)
})

it('the verify example passes good bytes and types a mismatch', async () => {
  const { text, digest, failure } = await import('../examples/verify.js')
  expect(text).toBe('hello, wharf')
  expect(digest.equals(digestOf('hello, wharf'))).toBe(true)
  expect(failure).toBe('ERR_DIGEST_MISMATCH')
})
