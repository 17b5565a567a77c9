import { describe, expect, it } from 'vitest'
import { pushImage, TRANSPORTS, useRegistry } from './targets.js'

describe.each(TRANSPORTS)('smoke over %s', (transport) => {
  const t = useRegistry(transport)
  it('pushes and pulls an image', async () => {
    const { digest, manifest } = await pushImage(t, 'acme/app', { reference: 'v1' })
    const get = await t.fetch('/v2/acme/app/manifests/v1')
    expect(get.status).toBe(200)
    expect(get.headers.get('docker-content-digest')).toBe(digest)
    expect(await get.text()).toBe(manifest)
  })
})
