import { fileURLToPath } from 'node:url'
import { readmeExamples } from '@wharf/tooling/readme'
import { expect, it } from 'vitest'

const dir = fileURLToPath(new URL('..', import.meta.url))

it('README examples are the files that the tests run', () => {
  const examples = readmeExamples(dir)
  expect(examples.map((e) => e.file)).toEqual([
    'examples/push.ts',
    'examples/pull.ts',
    'examples/copy.ts',
  ])
  for (const e of examples) expect(e.inReadme).toBe(e.onDisk)
})

it('the push example pushes blobs and a manifest, then skips an existing blob', async () => {
  const { descriptor, again } = await import('../examples/push.js')
  expect(descriptor.digest).toMatch(/^sha256:[a-f0-9]{64}$/)
  expect(descriptor.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
  expect(again.method).toBe('exists')
})

it('the pull example reads a verified blob and writes an OCI layout', async () => {
  const { text, files, descriptor } = await import('../examples/pull.js')
  expect(text).toBe('hello')
  expect(files).toEqual(['blobs', 'index.json', 'oci-layout'])
  expect(descriptor.size).toBeGreaterThan(0)
})

it('the copy example copies once and finds everything in place the second time', async () => {
  const { actions, second, root } = await import('../examples/copy.js')
  expect(actions.sort()).toEqual(['copied', 'copied'])
  expect(second).toEqual(['skipped'])
  expect(root.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
})
