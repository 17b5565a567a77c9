import { fileURLToPath } from 'node:url'
import { readmeExamples } from '@wharf/tooling/readme'
import { expect, it } from 'vitest'

const dir = fileURLToPath(new URL('..', import.meta.url))

it('README examples are the files that the tests run', () => {
  const examples = readmeExamples(dir)
  expect(examples.map((e) => e.file)).toEqual(['examples/usage.ts'])
  for (const e of examples) expect(e.inReadme).toBe(e.onDisk)
})

it('the usage example pages through a real server and reads a typed error', async () => {
  const { items, missing } = await import('../examples/usage.js')
  expect(items).toEqual(['a', 'b', 'c'])
  expect(missing).toBe('404 NOT_FOUND')
})
