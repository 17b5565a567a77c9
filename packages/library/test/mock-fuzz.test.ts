import { fuzzHandler } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import { createMockLibrary } from '../src/mock/index.js'

describe('hostile requests never crash the mock library', () => {
  it('answers every one with a client error or success, never a 5xx', async () => {
    const mock = createMockLibrary()
    const seeds = [
      '/version',
      '/assets/config/config.prod.json',
      '/v1/entities/alice',
      '/v1/collections/alice/tools',
      '/v1/containers/alice/tools/alpine',
      `/v1/images/alice/tools/alpine:sha256.${'e'.repeat(64)}?arch=amd64`,
      '/v2/imagefile/5c0f/_multipart',
      '/v1/search?value=alp',
      '/v1/tags/5c0f',
    ]
    expect(await fuzzHandler(mock.handle, mock.url, seeds, 1500, 62)).toEqual([])
  })
})
