import { fuzzHandler } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import { createMockCharmStore } from '../src/mock/index.js'

describe('hostile requests never crash the mock charm store', () => {
  it('answers every one with a client error or success, never a 5xx', async () => {
    const mock = createMockCharmStore()
    const seeds = [
      '/v5/~bob/xenial/wordpress-42/meta/any?include=id&include=archive-size',
      '/v5/meta/id?id=wordpress&id=mysql',
      '/v5/~bob/wordpress/archive',
      '/v5/~bob/wordpress/resource/web/3',
      '/v5/search?text=sql&limit=2',
      '/v5/~bob/wordpress/publish',
      '/v5/whoami',
      '/v5/upload?kind=resource',
    ]
    const origin = mock.state.urls.store
    expect(await fuzzHandler(mock.handle, origin, seeds, 1500, 72)).toEqual([])
  })
})
