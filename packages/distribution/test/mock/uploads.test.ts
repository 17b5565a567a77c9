import { describe, expect, it } from 'vitest'
import {
  drain,
  errorCode,
  pushBlob,
  random,
  sha256,
  sha512,
  type Target,
  TRANSPORTS,
  useRegistry,
} from './targets.js'

const octets = { 'content-type': 'application/octet-stream' }
const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

async function start(t: Target, name = 'acme/app') {
  const post = await t.fetch(`/v2/${name}/blobs/uploads/`, { method: 'POST' })
  expect(post.status).toBe(202)
  return { post, location: new URL(post.headers.get('location')!, t.base) }
}
const withDigest = (url: URL, digest: string) => {
  const u = new URL(url)
  u.searchParams.set('digest', digest)
  return u.href
}

describe.each(TRANSPORTS)('uploads over %s', (transport) => {
  const t = useRegistry(transport, { chunkMinLength: 16 })

  it('a new session has an id, Range 0-0, OCI-Chunk-Min-Length and a query token', async () => {
    const { post, location } = await start(t)
    const id = post.headers.get('docker-upload-uuid')!
    expect(location.pathname).toBe(`/v2/acme/app/blobs/uploads/${id}`)
    expect(location.searchParams.get('_state')).toBeTruthy()
    expect(post.headers.get('range')).toBe('0-0')
    expect(post.headers.get('oci-chunk-min-length')).toBe('16')
    expect(t.registry.uploadSessions('acme/app')).toBe(1)
  })

  it.each([
    ['sha256', sha256],
    ['sha512', sha512],
  ])('verifies %s digests on PUT', async (_alg, digestOf) => {
    const bytes = random(1000)
    const { location } = await start(t)
    const put = await t.fetch(withDigest(location, digestOf(bytes)), {
      method: 'PUT',
      body: bytes,
      headers: octets,
    })
    expect(put.status).toBe(201)
    expect(put.headers.get('docker-content-digest')).toBe(digestOf(bytes))
    const get = await t.fetch(`/v2/acme/app/blobs/${digestOf(bytes)}`)
    expect(digestOf(new Uint8Array(await get.arrayBuffer()))).toBe(digestOf(bytes))
  })

  it('stores the empty blob', async () => {
    const { location } = await start(t)
    expect((await t.fetch(withDigest(location, EMPTY), { method: 'PUT' })).status).toBe(201)
    const head = await t.fetch(`/v2/acme/app/blobs/${EMPTY}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('0')
    const get = await t.fetch(`/v2/acme/app/blobs/${EMPTY}`)
    expect((await get.arrayBuffer()).byteLength).toBe(0)
  })

  it.each([
    ['a digest of other content', 'DIGEST_INVALID', sha256('other')],
    ['no digest', 'DIGEST_INVALID', null],
    ['a malformed digest', 'DIGEST_INVALID', 'sha256:abc'],
    ['an unverifiable algorithm', 'DIGEST_INVALID', `sha384:${'a'.repeat(96)}`],
  ])('PUT with %s → 400 %s and the session ends', async (_case, code, digest) => {
    const { location } = await start(t)
    const url = digest === null ? location.href : withDigest(location, digest)
    const put = await t.fetch(url, { method: 'PUT', body: 'hello', headers: octets })
    expect(put.status).toBe(400)
    expect(await errorCode(put)).toBe(code)
    expect(t.registry.hasBlob('acme/app', sha256('hello'))).toBe(false)
    expect(t.registry.uploadSessions()).toBe(0)
    expect(t.registry.bytesUsed).toBe(0)
  })

  it('accepts the final chunk in the PUT with Content-Range, and 416 when out of order', async () => {
    const bytes = random(40)
    const { location } = await start(t)
    const patch = await t.fetch(location.href, {
      method: 'PATCH',
      body: bytes.slice(0, 20),
      headers: { ...octets, 'content-range': '0-19' },
    })
    expect(patch.status).toBe(202)
    const next = new URL(patch.headers.get('location')!, t.base)
    const wrong = await t.fetch(withDigest(next, sha256(bytes)), {
      method: 'PUT',
      body: bytes.slice(25),
      headers: { ...octets, 'content-range': '25-39' },
    })
    expect(wrong.status).toBe(416)
    await drain(wrong)
    const put = await t.fetch(withDigest(next, sha256(bytes)), {
      method: 'PUT',
      body: bytes.slice(20),
      headers: { ...octets, 'content-range': '20-39' },
    })
    expect(put.status).toBe(201)
    expect(t.registry.blob('acme/app', sha256(bytes))).toEqual(bytes)
  })

  it.each([
    ['a malformed Content-Range', 416, 'RANGE_INVALID', 'bytes=zero-ten'],
    ['an inverted Content-Range', 416, 'RANGE_INVALID', '9-0'],
    ['a Content-Range longer than the body', 400, 'SIZE_INVALID', '0-99'],
  ])('PATCH with %s → %i %s', async (_case, status, code, range) => {
    const { location } = await start(t)
    const patch = await t.fetch(location.href, {
      method: 'PATCH',
      body: 'ten bytes!',
      headers: { ...octets, 'content-range': range },
    })
    expect(patch.status).toBe(status)
    expect(await errorCode(patch)).toBe(code)
    const status204 = await t.fetch(location.href)
    expect(status204.status).toBe(204)
    expect(status204.headers.get('range')).toBe('0-0')
  })

  it('tolerates a "bytes " prefix on Content-Range', async () => {
    const { location } = await start(t)
    const patch = await t.fetch(location.href, {
      method: 'PATCH',
      body: 'ten bytes!',
      headers: { ...octets, 'content-range': 'bytes 0-9' },
    })
    expect(patch.status).toBe(202)
    expect(patch.headers.get('range')).toBe('0-9')
  })

  it.each([
    ['an unknown session', (l: URL) => new URL(l.href.replace(/uploads\/[^?]+/, 'uploads/nope'))],
    ['a missing _state token', (l: URL) => new URL(l.pathname, l)],
    ['another repository', (l: URL) => new URL(l.href.replace('acme/app', 'acme/other'))],
  ])('requests to %s → 404 BLOB_UPLOAD_UNKNOWN', async (_case, mangle) => {
    const { location } = await start(t)
    for (const method of ['GET', 'PATCH', 'PUT', 'DELETE']) {
      const r = await t.fetch(mangle(location).href, { method })
      expect(r.status, method).toBe(404)
      expect(await errorCode(r)).toBe('BLOB_UPLOAD_UNKNOWN')
    }
  })

  it('DELETE cancels a session (204), which is then unknown', async () => {
    const { location } = await start(t)
    await t.fetch(location.href, { method: 'PATCH', body: 'abc', headers: octets })
    expect(t.registry.bytesUsed).toBe(3)
    const del = await t.fetch(location.href, { method: 'DELETE' })
    expect(del.status).toBe(204)
    expect(t.registry.bytesUsed).toBe(0)
    const get = await t.fetch(location.href)
    expect(get.status).toBe(404)
    await drain(get)
  })

  it('single POST with ?digest stores the blob (201); a wrong digest → 400', async () => {
    const bytes = random(300)
    const post = await t.fetch(`/v2/acme/app/blobs/uploads/?digest=${sha512(bytes)}`, {
      method: 'POST',
      body: bytes,
      headers: octets,
    })
    expect(post.status).toBe(201)
    expect(post.headers.get('location')).toBe(`/v2/acme/app/blobs/${sha512(bytes)}`)
    expect(t.registry.hasBlob('acme/app', sha512(bytes))).toBe(true)
    const bad = await t.fetch(`/v2/acme/app/blobs/uploads/?digest=${sha256('x')}`, {
      method: 'POST',
      body: bytes,
      headers: octets,
    })
    expect(bad.status).toBe(400)
    expect(await errorCode(bad)).toBe('DIGEST_INVALID')
  })

  it('digest-algorithm on POST must name a supported algorithm', async () => {
    const ok = await t.fetch('/v2/acme/app/blobs/uploads/?digest-algorithm=sha512', {
      method: 'POST',
    })
    expect(ok.status).toBe(202)
    const bad = await t.fetch('/v2/acme/app/blobs/uploads/?digest-algorithm=md5', {
      method: 'POST',
    })
    expect(bad.status).toBe(400)
    expect(await errorCode(bad)).toBe('DIGEST_INVALID')
  })

  it('mount falls back to a 202 session when the source lacks the blob', async () => {
    const digest = await pushBlob(t, 'acme/base', 'shared layer')
    const missing = await t.fetch(
      `/v2/acme/app/blobs/uploads/?mount=${sha256('nope')}&from=acme/base`,
      {
        method: 'POST',
      },
    )
    expect(missing.status).toBe(202)
    expect(missing.headers.get('location')).toMatch(/^\/v2\/acme\/app\/blobs\/uploads\//)
    const wrongSource = await t.fetch(
      `/v2/acme/app/blobs/uploads/?mount=${digest}&from=acme/none`,
      {
        method: 'POST',
      },
    )
    expect(wrongSource.status).toBe(202)
    const mounted = await t.fetch(`/v2/acme/app/blobs/uploads/?mount=${digest}&from=acme/base`, {
      method: 'POST',
    })
    expect(mounted.status).toBe(201)
    expect(mounted.headers.get('docker-content-digest')).toBe(digest)
    expect(t.registry.hasBlob('acme/app', digest)).toBe(true)
  })

  it('counts shared blobs once and frees them with the last link', async () => {
    const bytes = random(100)
    const digest = await pushBlob(t, 'acme/a', bytes)
    await pushBlob(t, 'acme/b', bytes)
    expect(t.registry.bytesUsed).toBe(100)
    await drain(await t.fetch(`/v2/acme/a/blobs/${digest}`, { method: 'DELETE' }))
    expect(t.registry.bytesUsed).toBe(100)
    expect(t.registry.hasBlob('acme/b', digest)).toBe(true)
    await drain(await t.fetch(`/v2/acme/b/blobs/${digest}`, { method: 'DELETE' }))
    expect(t.registry.bytesUsed).toBe(0)
  })

  it('streams a multi-MiB chunked upload in order', async () => {
    const bytes = random(3 * 1024 * 1024 + 7)
    let { location } = await start(t)
    const size = 1024 * 1024
    for (let offset = 0; offset < bytes.length; offset += size) {
      const chunk = bytes.subarray(offset, offset + size)
      const r = await t.fetch(location.href, {
        method: 'PATCH',
        body: chunk,
        headers: { ...octets, 'content-range': `${offset}-${offset + chunk.length - 1}` },
      })
      expect(r.status).toBe(202)
      expect(r.headers.get('range')).toBe(`0-${offset + chunk.length - 1}`)
      location = new URL(r.headers.get('location')!, t.base)
    }
    const put = await t.fetch(withDigest(location, sha256(bytes)), { method: 'PUT' })
    expect(put.status).toBe(201)
    expect(sha256(t.registry.blob('acme/app', sha256(bytes))!)).toBe(sha256(bytes))
  })
})

describe.each(TRANSPORTS)('upload options over %s', (transport) => {
  const reference = useRegistry(transport, {
    singlePostUpload: false,
    automaticCrossMount: true,
    maxBytes: 1024,
    origin: 'http://options.mock',
    storageOrigin: 'http://options-storage.mock',
  })

  it('singlePostUpload: false answers 202 and stores nothing', async () => {
    const post = await reference.fetch(`/v2/acme/app/blobs/uploads/?digest=${sha256('abc')}`, {
      method: 'POST',
      body: 'abc',
      headers: octets,
    })
    expect(post.status).toBe(202)
    const get = await reference.fetch(`/v2/acme/app/blobs/${sha256('abc')}`)
    expect(get.status).toBe(404)
    await drain(get)
  })

  it('automaticCrossMount mounts without from', async () => {
    const digest = await pushBlob(reference, 'acme/base', 'layer')
    const r = await reference.fetch(`/v2/acme/app/blobs/uploads/?mount=${digest}`, {
      method: 'POST',
    })
    expect(r.status).toBe(201)
  })

  it('maxBytes counts the moment a chunked upload is joined', async () => {
    const bytes = random(600)
    let { location } = await start(reference)
    for (const part of [bytes.slice(0, 300), bytes.slice(300)]) {
      const r = await reference.fetch(location.href, {
        method: 'PATCH',
        body: part,
        headers: octets,
      })
      expect(r.status).toBe(202)
      location = new URL(r.headers.get('location')!, reference.base)
    }
    location.searchParams.set('digest', sha256(bytes))
    const put = await reference.fetch(location.href, { method: 'PUT' })
    expect(put.status).toBe(413)
    expect(await errorCode(put)).toBe('DENIED')
    expect(reference.registry.bytesUsed).toBe(0)
    expect(reference.registry.uploadSessions()).toBe(0)
  })

  it('maxBytes refuses uploads past the budget with 413 DENIED and keeps nothing', async () => {
    await pushBlob(reference, 'acme/app', random(1000))
    const { location } = await start(reference)
    const r = await reference.fetch(location.href, {
      method: 'PATCH',
      body: random(100),
      headers: octets,
    })
    expect(r.status).toBe(413)
    expect(await errorCode(r)).toBe('DENIED')
    expect(reference.registry.bytesUsed).toBe(1000)
  })
})

async function streamingPatch(t: Target, location: URL, signal?: AbortSignal) {
  let push!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) })
  const init = { method: 'PATCH', body, duplex: 'half', signal } as RequestInit
  const answer = t.fetch(location.href, init)
  push.enqueue(random(1000))
  for (let i = 0; i < 100 && t.registry.bytesUsed < 1000; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  expect(t.registry.bytesUsed).toBe(1000)
  return { push, answer }
}

describe('an upload cancelled while a PATCH streams in', () => {
  const t = useRegistry('http', {
    origin: 'http://inflight.mock',
    storageOrigin: 'http://inflight-storage.mock',
  })

  it('answers status and cancel during the PATCH, which then finds the session gone', async () => {
    const { location } = await start(t)
    const { push, answer: patch } = await streamingPatch(t, location)
    const status = await t.fetch(location.href)
    expect(status.status).toBe(204)
    const second = await t.fetch(location.href, { method: 'PATCH', body: 'x', headers: octets })
    expect(second.status).toBe(416)
    await drain(second)
    expect((await t.fetch(location.href, { method: 'DELETE' })).status).toBe(204)
    push.close()
    const answer = await patch
    expect(answer.status).toBe(404)
    expect(await errorCode(answer)).toBe('BLOB_UPLOAD_UNKNOWN')
    expect(t.registry.bytesUsed).toBe(0)
  })

  it('gives the bytes of a PATCH back when the client goes away mid-body', async () => {
    const { location } = await start(t)
    const abort = new AbortController()
    const { answer } = await streamingPatch(t, location, abort.signal)
    abort.abort()
    await expect(answer).rejects.toThrow()
    for (let i = 0; i < 100 && t.registry.bytesUsed > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(t.registry.bytesUsed).toBe(0)
    const status = await t.fetch(location.href)
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe('0-0')
  })
})
