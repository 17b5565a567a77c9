import { describe, expect, it } from 'vitest'
import {
  drain,
  errorCode,
  pushBlob,
  random,
  sha256,
  type Target,
  TRANSPORTS,
  useRegistry,
} from './targets.js'

/** Reads a body until it ends or fails; returns the bytes seen and whether it failed. */
async function readAll(response: Response): Promise<{ bytes: number; failed: boolean }> {
  const reader = response.body!.getReader()
  let bytes = 0
  try {
    for (let i = 0; i < 10_000; i++) {
      const { done, value } = await reader.read()
      if (done) return { bytes, failed: false }
      bytes += value.byteLength
    }
    throw new Error('body did not end')
  } catch {
    return { bytes, failed: true }
  }
}

describe.each(TRANSPORTS)('faults over %s', (transport) => {
  let clock = 0
  const t: Target = useRegistry(transport, { now: () => clock })
  const bytes = random(200_000)

  it('failNext: 503 ×2, then success, then the fault is gone', async () => {
    t.registry.faults.failNext = { status: 503, count: 2 }
    for (let i = 0; i < 2; i++) {
      const r = await t.fetch('/v2/')
      expect(r.status).toBe(503)
      expect(await errorCode(r)).toBe('UNAVAILABLE')
    }
    expect(t.registry.faults.failNext).toBeUndefined()
    const ok = await t.fetch('/v2/')
    expect(ok.status).toBe(200)
    await drain(ok)
  })

  it('failNext: 429 with Retry-After, only on matching paths', async () => {
    const digest = await pushBlob(t, 'acme/app', 'x')
    t.registry.faults.failNext = { status: 429, count: 1, retryAfter: 3, paths: /\/blobs\/sha256:/ }
    const other = await t.fetch('/v2/acme/app/tags/list')
    expect(other.status).toBe(200)
    await drain(other)
    expect(t.registry.faults.failNext?.count).toBe(1)
    const r = await t.fetch(`/v2/acme/app/blobs/${digest}`)
    expect(r.status).toBe(429)
    expect(r.headers.get('retry-after')).toBe('3')
    expect(await errorCode(r)).toBe('TOOMANYREQUESTS')
    expect(t.registry.faults.failNext).toBeUndefined()
  })

  it('failNext on an upload PATCH leaves the session intact', async () => {
    const post = await t.fetch('/v2/acme/app/blobs/uploads/', { method: 'POST' })
    const location = new URL(post.headers.get('location')!, t.base).href
    t.registry.faults.failNext = { status: 500, count: 1 }
    const failed = await t.fetch(location, { method: 'PATCH', body: 'abc' })
    expect(failed.status).toBe(500)
    await drain(failed)
    const status = await t.fetch(location)
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe('0-0')
  })

  it('cutAfterBytes: the body fails after at most N bytes, once', async () => {
    const digest = await pushBlob(t, 'acme/app', bytes)
    t.registry.faults.cutAfterBytes = { bytes: 1000, count: 1, paths: /\/blobs\// }
    const small = await t.fetch('/v2/')
    expect(await small.json()).toEqual({})
    const cut = await t.fetch(`/v2/acme/app/blobs/${digest}`)
    expect(cut.status).toBe(200)
    expect(cut.headers.get('content-length')).toBe('200000')
    const seen = await readAll(cut)
    expect(seen.failed).toBe(true)
    expect(seen.bytes).toBeLessThanOrEqual(1000)
    if (transport === 'msw') expect(seen.bytes).toBe(1000)
    expect(t.registry.faults.cutAfterBytes).toBeUndefined()
    const whole = await t.fetch(`/v2/acme/app/blobs/${digest}`)
    expect(sha256(new Uint8Array(await whole.arrayBuffer()))).toBe(digest)
  })

  it('cutAfterBytes leaves bodies of N bytes or fewer alone', async () => {
    const digest = await pushBlob(t, 'acme/app', random(500))
    t.registry.faults.cutAfterBytes = { bytes: 500, count: 1 }
    const r = await t.fetch(`/v2/acme/app/blobs/${digest}`)
    expect(await readAll(r)).toEqual({ bytes: 500, failed: false })
    expect(t.registry.faults.cutAfterBytes?.count).toBe(1)
  })

  it('redirectBlobs: GET → 307 to a signed storage URL that serves ranges; HEAD stays', async () => {
    const digest = await pushBlob(t, 'acme/app', bytes)
    t.registry.faults.redirectBlobs = true
    const head = await t.fetch(`/v2/acme/app/blobs/${digest}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    const r = await t.fetch(`/v2/acme/app/blobs/${digest}`, { redirect: 'manual' })
    expect(r.status).toBe(307)
    const location = new URL(r.headers.get('location')!)
    expect(location.origin).toBe(t.storage)
    expect(location.pathname).toBe(`/_storage/acme/app/blobs/${digest}`)
    const ranged = await fetch(location, { headers: { range: 'bytes=10-19' } })
    expect(ranged.status).toBe(206)
    expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(bytes.slice(10, 20))
    const followed = await t.fetch(`/v2/acme/app/blobs/${digest}`)
    expect(followed.url.startsWith(t.storage)).toBe(true)
    expect(sha256(new Uint8Array(await followed.arrayBuffer()))).toBe(digest)
  })

  it('storage refuses bad, foreign and expired signatures, and writes', async () => {
    const digest = await pushBlob(t, 'acme/app', bytes)
    const other = await pushBlob(t, 'acme/app', 'other')
    t.registry.faults.redirectBlobs = true
    const r = await t.fetch(`/v2/acme/app/blobs/${digest}`, { redirect: 'manual' })
    const good = new URL(r.headers.get('location')!)
    const forged = new URL(good)
    forged.searchParams.set('signature', '0'.repeat(32))
    const elsewhere = new URL(good)
    elsewhere.pathname = `/_storage/acme/app/blobs/${other}`
    for (const url of [forged, elsewhere]) {
      const denied = await fetch(url)
      expect(denied.status).toBe(403)
      expect(await denied.text()).toContain('AccessDenied')
    }
    const put = await fetch(good, { method: 'PUT', body: 'x' })
    expect(put.status).toBe(405)
    await drain(put)
    clock += 11 * 60 * 1000
    const expired = await fetch(good)
    expect(expired.status).toBe(403)
    await drain(expired)
  })

  it('ignoreRange: Range is ignored on the registry and on storage', async () => {
    const digest = await pushBlob(t, 'acme/app', bytes)
    t.registry.faults.ignoreRange = true
    const r = await t.fetch(`/v2/acme/app/blobs/${digest}`, { headers: { range: 'bytes=0-9' } })
    expect(r.status).toBe(200)
    expect(r.headers.get('accept-ranges')).toBe('none')
    expect((await r.arrayBuffer()).byteLength).toBe(bytes.length)
    t.registry.faults.redirectBlobs = true
    const followed = await t.fetch(`/v2/acme/app/blobs/${digest}`, {
      headers: { range: 'bytes=0-9' },
    })
    expect(followed.status).toBe(200)
    expect((await followed.arrayBuffer()).byteLength).toBe(bytes.length)
  })

  it('logs every request and reset() forgets log, storage and faults', async () => {
    await pushBlob(t, 'acme/app', 'x')
    t.registry.faults.redirectBlobs = true
    t.registry.faults.failNext = { status: 503, count: 5 }
    expect(t.registry.requests.map((q) => q.method)).toEqual(['POST', 'PUT'])
    t.registry.reset()
    expect(t.registry.requests).toEqual([])
    expect(t.registry.faults).toEqual({})
    expect(t.registry.repositories()).toEqual([])
    expect(t.registry.bytesUsed).toBe(0)
  })
})

describe('listen', () => {
  it('serves registry and storage on their own ports and closes', async () => {
    const { createMockRegistry } = await import('../../src/mock/index.js')
    const registry = createMockRegistry({ maxLoggedRequests: 2 })
    const a = await registry.listen()
    const b = await registry.listen()
    expect(new Set([a.url, a.storageUrl, b.url, b.storageUrl]).size).toBe(4)
    for (const url of [a.url, b.url]) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    for (const url of [a.url, b.url, a.url]) expect((await fetch(`${url}/v2/`)).status).toBe(200)
    expect(registry.requests).toHaveLength(2)
    await a.close()
    await b.close()
    await expect(fetch(`${a.url}/v2/`)).rejects.toThrow()
  })
})
