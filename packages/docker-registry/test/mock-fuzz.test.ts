import { fuzzHandler } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import { createMockDockerRegistry } from '../src/mock/index.js'

describe('hostile requests never crash the mock Docker registry', () => {
  it('answers every one with a client error or success, never a 5xx', async () => {
    const mock = createMockDockerRegistry({ hub: true })
    const seeds = [
      '/v1/_ping',
      '/v1/search?q=redis&n=2&page=1',
      '/v1/repositories/library/redis/images',
      '/v1/repositories/library/redis/tags/latest',
      `/v1/images/${'a'.repeat(64)}/json`,
      '/v2/library/redis/manifests/latest',
      '/v2/library/redis/blobs/uploads/',
    ]
    expect(await fuzzHandler(mock.handle, 'http://registry.mock', seeds, 1500, 52)).toEqual([])
  })
})
