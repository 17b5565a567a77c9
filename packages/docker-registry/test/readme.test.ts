import { fileURLToPath } from 'node:url'
import { readmeExamples } from '@wharf/tooling/readme'
import { expect, it } from 'vitest'

const dir = fileURLToPath(new URL('..', import.meta.url))

it('README examples are the files that the tests run', () => {
  const examples = readmeExamples(dir)
  expect(examples.map((e) => e.file)).toEqual([
    'examples/login.ts',
    'examples/search.ts',
    'examples/pull.ts',
  ])
  for (const e of examples) expect(e.inReadme).toBe(e.onDisk)
})

it('the login example logs in, gets an identity token, is refused with a wrong password', async () => {
  const { result, refused, again } = await import('../examples/login.js')
  expect(result.status).toBe('Login Succeeded')
  expect(result.version).toBe(2)
  expect(result.identityToken).toMatch(/^[\w-]{16,}$/)
  expect(refused).toBe('ERR_LOGIN_UNAUTHORIZED')
  expect(again.identityToken).toBe(result.identityToken)
})

it('the search example finds redis repositories, most stars first', async () => {
  const { found } = await import('../examples/search.js')
  expect(found.results.map((r) => [r.name, r.starCount, r.isOfficial])).toEqual([
    ['redis', 12000, true],
    ['alice/redis-tools', 3, false],
  ])
})

it('the pull example pulls ubuntu:22.04 from the mock posing as Hub', async () => {
  const { ref, descriptor, layers, rateLimit } = await import('../examples/pull.js')
  expect(ref.toString()).toBe('docker.io/library/ubuntu:22.04')
  expect(descriptor.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json')
  expect(layers).toEqual([11])
  expect(rateLimit).toMatchObject({ limit: 100, remaining: 99 })
})
