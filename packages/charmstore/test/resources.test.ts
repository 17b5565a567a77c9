import { createHash } from 'node:crypto'
import type { ProgressEvent } from '@wharf/transfer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERR_UPLOAD_NOT_FOUND, ErrorCode, partSizeFor, UploadNotFoundError } from '../src/index.js'
import { ADMIN, charmZip, startStore, unexpected } from './fixtures.js'

const sha384 = (bytes: Uint8Array) => createHash('sha384').update(bytes).digest('hex')
const bytesOf = (n: number, seed = 1) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)
const text = (body: ReadableStream<Uint8Array>) =>
  new Response(body).arrayBuffer().then((b) => new Uint8Array(b))
const RESOURCES = { data: { type: 'file', filename: 'data.tgz' }, image: { type: 'oci-image' } }

describe('resources against the mock', () => {
  let env: Awaited<ReturnType<typeof startStore>>
  const charm = '~bob/xenial/app-0'
  beforeAll(async () => {
    env = await startStore({ limits: { minPart: 1024 } })
    await env.client.uploadCharm('~bob/xenial/app', charmZip('app', { resources: RESOURCES }))
    env.client.setMinMultipartUploadSize(2048)
  })
  afterAll(() => env.close())
  const partRequests = () => env.mock.requests.filter((r) => /^\/upload\/[^/?]+\/\d+/.test(r.path))

  it('lists declared resources as placeholders before any upload', async () => {
    const list = await env.client.listResources(charm)
    expect(list).toEqual([
      { Name: 'data', Type: 'file', Path: 'data.tgz', Revision: -1, Fingerprint: null, Size: 0 },
      { Name: 'image', Type: 'oci-image', Path: '', Revision: -1, Fingerprint: null, Size: 0 },
    ])
  })

  it('uploads a small resource in one request with its hash and file name', async () => {
    const data = bytesOf(100)
    const events: ProgressEvent[] = []
    const rev = await env.client.uploadResource(charm, 'data', {
      source: data,
      filename: 'local/data.tgz',
      onProgress: (e) => events.push(e),
    })
    expect(rev).toBe(0)
    const seen = env.mock.requests.at(-1)!
    const url = new URL(seen.url)
    expect(seen.method).toBe('POST')
    expect(url.pathname).toBe('/v5/~bob/xenial/app-0/resource/data')
    expect(url.searchParams.get('hash')).toBe(sha384(data))
    expect(url.searchParams.get('filename')).toBe('local/data.tgz')
    expect(seen.headers.get('content-type')).toBe('application/octet-stream')
    expect(seen.headers.get('content-length')).toBe('100')
    expect(events.map((e) => e.type)).toEqual(['start', 'done'])
    const meta = await env.client.resourceMeta(charm, 'data', 0)
    expect(meta.Fingerprint).toBe(Buffer.from(sha384(data), 'hex').toString('base64'))
    expect(meta.Size).toBe(100)
    expect(
      await env.client.uploadResourceWithRevision(charm, 'data', 7, {
        source: new Blob([bytesOf(10) as BlobPart]),
        filename: 'x.tgz',
      }),
    ).toBe(7)
    expect(env.mock.requests.at(-1)!.method).toBe('PUT')
    expect(new URL(env.mock.requests.at(-1)!.url).pathname).toBe(
      '/v5/~bob/xenial/app-0/resource/data/7',
    )
    const dup = await env.client
      .uploadResourceWithRevision(charm, 'data', 7, { source: bytesOf(10), filename: 'x.tgz' })
      .then(unexpected, (e: any) => e)
    expect(dup.storeCode).toBe(ErrorCode.DuplicateUpload)
  })

  it('store-side resource rules come back as typed errors', async () => {
    const undeclared = await env.client
      .uploadResource(charm, 'nope', { source: bytesOf(3), filename: 'a.tgz' })
      .then(unexpected, (e: any) => e)
    expect(undeclared.storeCode).toBe(ErrorCode.Forbidden)
    expect(undeclared.message).toContain('not found in charm metadata')
    const ext = await env.client
      .uploadResource(charm, 'data', { source: bytesOf(3), filename: 'a.zip' })
      .then(unexpected, (e: any) => e)
    expect(ext.message).toContain('filename extension mismatch')
    await expect(
      env.client.uploadResource(charm, 'a/b', { source: bytesOf(3), filename: 'a' }),
    ).rejects.toThrow(/invalid resource name/)
  })

  it('downloads a resource verified against Content-Sha384, by revision or by channel', async () => {
    const latest = await env.client.getResource(charm, 'data', { revision: 0 })
    expect(latest.hash).toBe(sha384(bytesOf(100)))
    expect(latest.size).toBe(100)
    expect(await text(latest.body)).toEqual(bytesOf(100))
    // The charm is unpublished, so its default channel is `unpublished`: the newest revision (7).
    const newest = await env.client.getResource(charm, 'data')
    expect(newest.size).toBe(10)
    await newest.body.cancel()
    const stable = await env.client
      .withChannel('stable')
      .getResource(charm, 'data')
      .then(unexpected, (e: any) => e)
    expect(stable.storeCode).toBe(ErrorCode.NotFound)
  })

  it('uploads big resources with the multipart protocol, 0-based parts with offsets and hashes', async () => {
    const data = bytesOf(5000, 7)
    const before = partRequests().length
    const events: ProgressEvent[] = []
    const rev = await env.client.uploadResource(charm, 'data', {
      source: data,
      filename: 'data.tgz',
      onProgress: (e) => events.push(e),
    })
    expect(rev).toBe(8)
    const parts = partRequests().slice(before)
    expect(parts.map((p) => new URL(p.url).searchParams.get('offset'))).toEqual([
      '0',
      '1024',
      '2048',
      '3072',
      '4096',
    ])
    expect(parts.map((p) => p.path.split('?')[0]!.split('/').at(-1))).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
    ])
    expect(new URL(parts[4]!.url).searchParams.get('hash')).toBe(sha384(data.subarray(4096)))
    const tail = env.mock.requests.slice(-2)
    expect(tail[0]!.method).toBe('PUT') // finish
    expect(new URL(tail[1]!.url).searchParams.get('upload-id')).toBeTruthy()
    expect(events[0]).toMatchObject({ type: 'start', total: 5000, uploadId: expect.any(String) })
    const expiresAt = (events[0] as { expiresAt?: Date }).expiresAt!
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000)
    expect(events.map((e) => e.type)).toContain('finalizing')
    expect(events.at(-1)).toEqual({ type: 'done', transferred: 5000 })
    const got = await env.client.getResource(charm, 'data', { revision: 8 })
    expect(await text(got.body)).toEqual(data)
  })

  it('resumes an interrupted multipart upload by its id, sending only the missing parts', async () => {
    const data = bytesOf(5000, 9)
    let failing = true
    const source = {
      size: data.byteLength,
      open(start: number, end: number) {
        if (!failing) return new Blob([data.subarray(start, end) as BlobPart]).stream()
        // Delivers the first two parts, then breaks.
        return new ReadableStream<Uint8Array>({
          start(controller) {
            if (start < 2048) controller.enqueue(data.slice(start, Math.min(end, 2048)))
          },
          pull(controller) {
            controller.error(new Error('disk went away'))
          },
        })
      },
    }
    let uploadId = ''
    const first = await env.client
      .uploadResource(charm, 'data', {
        source,
        filename: 'data.tgz',
        onProgress: (e) => {
          if (e.type === 'start' && e.uploadId) uploadId = e.uploadId
        },
      })
      .then(unexpected, (e: any) => e)
    expect(first.message).toContain('disk went away')
    expect(uploadId).not.toBe('')
    expect(env.mock.state.uploads.get(uploadId)!.parts.filter(Boolean).length).toBe(2)
    failing = false
    const before = partRequests().length
    const rev = await env.client.resumeUploadResourceWithRevision(uploadId, charm, 'data', 20, {
      source,
      filename: 'data.tgz',
    })
    expect(rev).toBe(20)
    const attach = env.mock.requests.at(-1)!
    expect(`${attach.method} ${new URL(attach.url).pathname}`).toBe(
      'PUT /v5/~bob/xenial/app-0/resource/data/20',
    )
    expect(
      partRequests()
        .slice(before)
        .map((p) => new URL(p.url).searchParams.get('offset')),
    ).toEqual(['2048', '3072', '4096'])
    expect(
      env.mock.requests.some((r) => r.method === 'GET' && r.path === `/upload/${uploadId}`),
    ).toBe(true)
    expect(
      await text((await env.client.getResource(charm, 'data', { revision: 20 })).body),
    ).toEqual(data)
    // A consumed upload cannot be attached again.
    const again = await env.client
      .resumeUploadResource(uploadId, charm, 'data', { source, filename: 'data.tgz' })
      .then(unexpected, (e: any) => e)
    expect(again.message).toMatch(/part count mismatch|already finished|already been used/)
  })

  it('resuming with different content is caught by the part checksums', async () => {
    const data = bytesOf(3000, 3)
    const stop = new AbortController()
    let uploadId = ''
    await env.client
      .uploadResource(charm, 'data', {
        source: data,
        filename: 'data.tgz',
        signal: stop.signal,
        onProgress: (e) => {
          if (e.type === 'start' && e.uploadId) uploadId = e.uploadId
          if (e.type === 'part') stop.abort()
        },
      })
      .then(unexpected, (e: any) => e)
    expect(env.mock.state.uploads.get(uploadId)!.parts.filter(Boolean).length).toBeGreaterThan(0)
    const other = bytesOf(3000, 4)
    const error = await env.client
      .resumeUploadResource(uploadId, charm, 'data', { source: other, filename: 'data.tgz' })
      .then(unexpected, (e: any) => e)
    expect(error.code).toBe('ERR_DIGEST_MISMATCH')
  })

  it('an unknown upload id is UploadNotFoundError (ERR_UPLOAD_NOT_FOUND)', async () => {
    const error = await env.client
      .resumeUploadResource('nosuchupload', charm, 'data', {
        source: bytesOf(10),
        filename: 'a.tgz',
      })
      .then(unexpected, (e: any) => e)
    expect(error).toBeInstanceOf(UploadNotFoundError)
    expect(error.code).toBe(ERR_UPLOAD_NOT_FOUND)
    expect(error.uploadId).toBe('nosuchupload')
  })

  it('publishing records resource revisions per channel', async () => {
    await env.client
      .publish(charm, ['stable', 'edge'], { data: 8, image: 0 })
      .then(unexpected, (e: any) => {
        expect(e.message).toContain('resource "image/0" not found')
      })
    await env.client.addDockerResource(charm, 'image', {
      digest: `sha256:${'a'.repeat(64)}`,
      imageName: 'docker.io/library/nginx',
    })
    await env.client.publish(charm, ['stable'], { data: 8, image: 0 })
    const stable = await env.client.listResources('~bob/xenial/app')
    expect(stable.map((r) => [r.Name, r.Revision])).toEqual([
      ['data', 8],
      ['image', 0],
    ])
    const got = await env.client.getResource('~bob/xenial/app', 'data')
    expect(got.size).toBe(5000)
    await got.body.cancel()
    const ext = await env.client.dockerResourceDownloadInfo('~bob/xenial/app', 'image')
    expect(ext).toEqual({ ImageName: `docker.io/library/nginx@sha256:${'a'.repeat(64)}` })
  })

  it('partSizeFor follows csclient: ceil(size/MaxParts), at least MinPartSize', () => {
    const limits = { MinPartSize: 5 << 20, MaxPartSize: 2 ** 32 - 1, MaxParts: 400 }
    expect(partSizeFor(1, limits)).toBe(5 << 20)
    expect(partSizeFor(400 * (6 << 20), limits)).toBe(6 << 20)
    expect(() => partSizeFor(400 * 2 ** 33, limits)).toThrow(/resource too big/)
  })
})

describe('docker resources (Kubernetes charms)', () => {
  let env: Awaited<ReturnType<typeof startStore>>
  beforeAll(async () => {
    env = await startStore()
    await env.client.uploadCharm(
      '~bob/kubernetes/k8s-app',
      charmZip('k8s-app', { series: ['kubernetes'], resources: RESOURCES }),
    )
  })
  afterAll(() => env.close())

  it('upload info, add by digest, download info (hash-checked)', async () => {
    const info = await env.client.dockerResourceUploadInfo('~bob/kubernetes/k8s-app-0', 'image')
    expect(info.ImageName).toBe(`${new URL(env.server.url).host}/bob/k8s-app/image`)
    expect(info.Username).toBe('docker-uploader')
    expect(info.Password).toBeTruthy()
    expect(new URL(env.mock.requests.at(-1)!.url).searchParams.get('resource-name')).toBe('image')
    const digest = `sha256:${'b'.repeat(64)}`
    expect(
      await env.client.addDockerResource('~bob/kubernetes/k8s-app-0', 'image', { digest }),
    ).toBe(0)
    const sent = env.mock.requests.at(-1)!
    expect(sent.headers.get('content-type')).toBe('application/json')
    const down = await env.client.dockerResourceDownloadInfo(
      '~bob/kubernetes/k8s-app-0',
      'image',
      0,
    )
    expect(down.ImageName).toBe(`${info.ImageName}@${digest}`)
    expect(down.Username).toBe('docker-registry')
    await expect(
      env.client.addDockerResource('~bob/kubernetes/k8s-app-0', 'image', { digest: 'sha256:nope' }),
    ).rejects.toThrow(/sha256:<64 hex>/)
    const wrongType = await env.client
      .dockerResourceUploadInfo('~bob/kubernetes/k8s-app-0', 'data')
      .then(unexpected, (e: any) => e)
    expect(wrongType.storeCode).toBe(ErrorCode.Forbidden)
  })

  it('refuses docker resources for machine charms', async () => {
    await env.client.uploadCharm('~bob/xenial/vm-app', charmZip('vm-app', { resources: RESOURCES }))
    const error = await env.client
      .dockerResourceUploadInfo('~bob/xenial/vm-app-0', 'image')
      .then(unexpected, (e: any) => e)
    expect(error.storeCode).toBe(ErrorCode.Forbidden)
    expect(error.message).toContain('Kubernetes')
  })
})

describe('multipart limits from the store', () => {
  it('refuses part sizes that would buffer more than 1 GiB', async () => {
    const env = await startStore(
      { limits: { minPart: 2 ** 31 } },
      { ...ADMIN, minMultipartUploadSize: 10 },
    )
    try {
      await env.client.uploadCharm('~bob/xenial/app', charmZip('app', { resources: RESOURCES }))
      const error = await env.client
        .uploadResource('~bob/xenial/app-0', 'data', { source: bytesOf(100), filename: 'd.tgz' })
        .then(unexpected, (e: any) => e)
      expect(error.code).toBe('ERR_CHARMSTORE_PROTOCOL')
      expect(error.message).toContain('exceed the limit')
      expect(env.mock.requests.filter((r) => /^\/upload\/[^/?]+\/\d+/.test(r.path))).toEqual([])
    } finally {
      await env.close()
    }
  })
})

describe('multipart fallback', () => {
  it('uses a single request when the store has no /upload endpoint', async () => {
    const env = await startStore({ multipart: false }, { ...ADMIN, minMultipartUploadSize: 10 })
    try {
      await env.client.uploadCharm('~bob/xenial/app', charmZip('app', { resources: RESOURCES }))
      const rev = await env.client.uploadResource('~bob/xenial/app-0', 'data', {
        source: bytesOf(100),
        filename: 'd.tgz',
      })
      expect(rev).toBe(0)
      expect(env.mock.requests.at(-2)!.path).toBe('/upload')
      expect(env.mock.requests.at(-1)!.headers.get('content-length')).toBe('100')
      expect(new URL(env.mock.requests.at(-1)!.url).searchParams.get('hash')).toBe(
        sha384(bytesOf(100)),
      )
    } finally {
      await env.close()
    }
  })
})
