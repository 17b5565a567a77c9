import { fuzzHandler } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import { createMockProvision } from '../src/mock/index.js'

describe('hostile requests never crash the mock dr-provision', () => {
  it('answers every one with a client error or success, never a 5xx', async () => {
    const mock = createMockProvision()
    const seeds = [
      '/api/v3/machines?Name=node1&limit=2',
      '/api/v3/machines/3e7031fe-3062-45f1-835c-92541bc9cbd3/params/change-stage%2Fmap',
      '/api/v3/bootenvs/local',
      '/api/v3/jobs',
      '/api/v3/files/a/b.txt',
      '/api/v3/isos/x.iso',
      '/api/v3/contents/demo',
      '/api/v3/users/rocketskates/token?ttl=60',
      '/api/v3/info',
    ]
    expect(await fuzzHandler(mock.handle, 'https://drp.test', seeds, 1500, 82)).toEqual([])
  })
})
