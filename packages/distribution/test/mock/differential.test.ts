// The mock with DISTRIBUTION_2_8 against the real CNCF distribution 2.8 registry: the same raw
// HTTP scenarios must observe the same statuses, headers and error codes on both.
import { type RunningRegistry, registryBinary, startRegistry } from '@wharf/tooling/registry'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createMockRegistry,
  DISTRIBUTION_2_8,
  type ListeningRegistry,
} from '../../src/mock/index.js'
import { CHALLENGES, challenge, SCENARIOS } from './differential.js'

const binary = registryBinary()
if (!binary) {
  console.warn(
    '\n!!! docker-registry NOT installed: the differential suite (mock vs CNCF registry 2.8) is SKIPPED (apt-get install docker-registry).\n',
  )
}

describe.skipIf(!binary)('DISTRIBUTION_2_8 matches the CNCF registry', () => {
  let real: RunningRegistry
  let mock: ListeningRegistry
  beforeAll(async () => {
    real = await startRegistry()
    mock = await createMockRegistry(DISTRIBUTION_2_8).listen()
  })
  afterAll(async () => {
    await real?.close()
    await mock?.close()
  })

  it.each(Object.entries(SCENARIOS).map(([title, run], i) => ({ title, run, name: `diff/s${i}` })))(
    '$title',
    async ({ run, name }) => {
      const expected = await run({ base: real.url, name })
      const actual = await run({ base: mock.url, name })
      expect(actual).toEqual(expected)
    },
  )
})

describe.skipIf(!binary)('token challenges match the CNCF registry', () => {
  let real: RunningRegistry
  let mock: ListeningRegistry
  beforeAll(async () => {
    real = await startRegistry({ auth: 'token' })
    mock = await createMockRegistry({
      auth: { type: 'token', username: 'wharf', password: 'wharf-secret' },
    }).listen()
  })
  afterAll(async () => {
    await real?.close()
    await mock?.close()
  })

  it.each(CHALLENGES)('%s %s', async (method, path) => {
    expect(await challenge(mock.url, method, path)).toEqual(await challenge(real.url, method, path))
  })
})
