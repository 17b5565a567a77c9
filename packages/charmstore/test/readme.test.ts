import { fileURLToPath } from 'node:url'
import { readmeExamples } from '@wharf/tooling/readme'
import { expect, it } from 'vitest'

const dir = fileURLToPath(new URL('..', import.meta.url))

it('README examples are the files that the tests run', () => {
  const examples = readmeExamples(dir)
  expect(examples.map((e) => e.file)).toEqual([
    'examples/meta.ts',
    'examples/pull.ts',
    'examples/push.ts',
  ])
  for (const e of examples) expect(e.inReadme).toBe(e.onDisk)
})

it('the meta example reads typed metadata of a published charm', async () => {
  const { id, meta, latest } = await import('../examples/meta.js')
  expect(id.toString()).toBe('cs:~bob/wordpress-0')
  expect(meta.charmMetadata?.Name).toBe('wordpress')
  expect(meta.supportedSeries?.SupportedSeries).toEqual(['focal', 'bionic'])
  expect(meta.archiveSize?.Size).toBeGreaterThan(0)
  expect(meta.digest).toBe('abc123')
  expect(latest).toEqual({ revision: 0 })
})

it('the pull example downloads, verifies and extracts an archive', async () => {
  const { archive, bytes, extracted, metadata, readme } = await import('../examples/pull.js')
  expect(archive.id.toString()).toBe('cs:~bob/focal/redis-0')
  expect(bytes.byteLength).toBe(archive.size)
  expect(extracted.sort()).toEqual(['README.md', 'metadata.yaml'])
  expect(readme).toBe('# Redis\n')
  expect(metadata).toContain('name: redis')
})

it('the push example logs in with macaroons, pushes a charm and a resource, and publishes', async () => {
  const { id, published, revision, who } = await import('../examples/push.js')
  expect(who.User).toBe('alice')
  expect(id.toString()).toBe('cs:~alice/focal/hello-0')
  expect(revision).toBe(0)
  expect(published.id.toString()).toBe('cs:~alice/focal/hello-0')
  expect(published.meta.published?.Info).toEqual([{ Channel: 'stable', Current: true }])
  expect(published.meta.resources?.map((r) => [r.Name, r.Revision, r.Size])).toEqual([
    ['greeting', 0, 13],
  ])
})
