import { fileURLToPath } from 'node:url'
import { readmeExamples } from '@wharf/tooling/readme'
import { expect, it } from 'vitest'

const dir = fileURLToPath(new URL('..', import.meta.url))

it('README examples are the files that the tests run', () => {
  const examples = readmeExamples(dir)
  expect(examples.map((e) => e.file)).toEqual([
    'examples/registry-token.ts',
    'examples/token-session.ts',
    'examples/bakery.ts',
    'examples/basic-bearer-chain.ts',
    'examples/docker-config.ts',
  ])
  for (const e of examples) expect(e.inReadme).toBe(e.onDisk)
})

it('registry-token: one token request for the operation’s scope, then the manifest', async () => {
  const { manifest, seen } = await import('../examples/registry-token.js')
  expect(manifest).toEqual({ schemaVersion: 2 })
  expect(seen).toEqual(['token demo repository:library/alpine:pull'])
})

it('token-session: logs in with basic credentials and lists machines with the token', async () => {
  const { machines, hadToken } = await import('../examples/token-session.js')
  expect(machines).toEqual([{ Name: 'machine-1' }])
  expect(hadToken).toBe(true)
})

it('bakery: discharges the third-party caveat and is let in', async () => {
  const { whoami } = await import('../examples/bakery.js')
  expect(whoami).toEqual({ User: 'alice' })
})

it('basic, bearer and chain send what they say', async () => {
  const { seen, challenges } = await import('../examples/basic-bearer-chain.js')
  expect(seen).toEqual(['/admin Basic', '/ui/dashboard sid=abc', '/api/items Bearer'])
  expect(challenges.map((c) => c.scheme)).toEqual(['bearer', 'basic'])
})

it('docker-config: credentials saved like docker login are found and used', async () => {
  const { found, answer } = await import('../examples/docker-config.js')
  expect(found?.username).toBe('alice')
  expect(answer).toEqual({ ok: true })
})
