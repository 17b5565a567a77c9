import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createMockLibrary, type MockLibraryOptions } from '../src/mock/index.js'

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** Talks to the mock's fetch handlers directly, as the wire reference describes. */
function wire(options: MockLibraryOptions = {}) {
  const mock = createMockLibrary(options)
  const call = async (method: string, path: string, body?: unknown, headers: HeadersInit = {}) => {
    const url = /^https?:/.test(path) ? path : `${mock.url}${path}`
    const request = new Request(url, {
      method,
      headers,
      ...(body === undefined
        ? {}
        : {
            body:
              body instanceof Uint8Array ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body),
          }),
    })
    const response = await (url.startsWith(mock.storageUrl) ? mock.handleStorage : mock.handle)(
      request,
    )
    const text = await response.text()
    let json: any
    try {
      json = JSON.parse(text)
    } catch {
      json = text
    }
    return { status: response.status, headers: response.headers, json }
  }
  return { mock, call }
}

/** Creates e/c/n and an image record for `bytes` through the wire. */
async function records(call: ReturnType<typeof wire>['call'], bytes: Uint8Array) {
  const entity = (await call('POST', '/v1/entities', { name: 'e' })).json.data
  const collection = (await call('POST', '/v1/collections', { name: 'c', entity: entity.id })).json
    .data
  const container = (await call('POST', '/v1/containers', { name: 'n', collection: collection.id }))
    .json.data
  const image = (
    await call('POST', '/v1/images', {
      hash: `sha256.${sha(bytes)}`,
      container: container.id,
      description: 'd',
      createdAt: '0001-01-01T00:00:00Z',
      Unknown: 1,
    })
  ).json.data
  return { entity, collection, container, image }
}

describe('mock library wire behaviour', () => {
  it('answers version, 404 sentinels and the error envelope', async () => {
    const { call } = wire({ apiVersion: '2.0.0-alpha.1' })
    expect(await call('GET', '/version')).toMatchObject({
      status: 200,
      json: { data: { version: 'v1.0.0', apiVersion: '2.0.0-alpha.1' } },
    })
    expect(await call('GET', '/v1/entities/nobody')).toMatchObject({
      status: 404,
      json: { error: { code: 404, message: 'Not found' } },
    })
    expect((await call('GET', '/v1/oci-redirect?namespace=x')).status).toBe(404)
    expect((await wire({ apiVersion: null }).call('GET', '/version')).status).toBe(404)
    expect((await call('POST', '/v1/entities', 'not json')).status).toBe(400)
  })

  it('creates records without arch, tags with PascalCase bodies, and resolves refs', async () => {
    const { call } = wire()
    const bytes = new Uint8Array([1, 2, 3])
    const { container, image } = await records(call, bytes)
    expect(image).toMatchObject({ uploaded: false, size: 0, containerName: 'n' })
    expect(image.arch).toBeUndefined()
    expect((await call('POST', '/v1/entities', { name: 'e' })).status).toBe(409)
    expect((await call('POST', '/v1/entities', { name: 'Bad Name' })).status).toBe(400)

    expect(
      (
        await call('POST', `/v2/tags/${container.id}`, {
          Arch: 'arm64',
          Tag: 't',
          ImageID: image.id,
        })
      ).status,
    ).toBe(200)
    expect((await call('GET', `/v2/tags/${container.id}`)).json.data).toEqual({
      arm64: { t: image.id },
    })
    expect((await call('GET', `/v1/tags/${container.id}`)).json.data).toEqual({ t: image.id })
    expect((await call('GET', '/v1/images/e/c/n:t?arch=arm64')).json.data).toMatchObject({
      id: image.id,
      arch: 'arm64',
    })
    expect((await call('GET', '/v1/images/e/c/n:t?arch=amd64')).status).toBe(404)
    expect((await call('GET', `/v1/images/e/c/n:sha256.${sha(bytes)}?arch=ppc64le`)).status).toBe(
      200,
    )
    expect((await call('DELETE', '/v1/images/e/c/n:t')).status).toBe(400)
    expect((await call('POST', `/v1/tags/${container.id}`, { Tag: 't', ImageID: '' })).status).toBe(
      200,
    )
    expect((await call('GET', `/v1/tags/${container.id}`)).json.data).toEqual({})
  })

  it('maps short references to the default entity and collection', async () => {
    const { call, mock } = wire({ defaultEntity: 'library', defaultCollection: 'default' })
    const entity = mock.state.addEntity('library')
    const collection = mock.state.addCollection(entity.id, 'default')
    const container = mock.state.addContainer(collection.id, 'alpine')
    const image = mock.state.addImage(container.id, `sha256.${'a'.repeat(64)}`, '')
    mock.state.setTag(container, 'latest', image.id)
    for (const ref of ['alpine', 'default/alpine:latest', 'library/default/alpine']) {
      expect((await call('GET', `/v1/images/${ref}?arch=`)).json.data?.id).toBe(image.id)
    }
  })

  it('requires the bearer token except for version, and lets public reads through when asked', async () => {
    const { call } = wire({ tokens: ['t0k'] })
    expect((await call('GET', '/version')).status).toBe(200)
    expect(await call('GET', '/v1/entities/e')).toMatchObject({
      status: 401,
      json: { error: { code: 401 } },
    })
    expect(
      (await call('GET', '/v1/entities/e', undefined, { authorization: 'Bearer t0k' })).status,
    ).toBe(404)
    const open = wire({ tokens: ['t0k'], publicRead: true }).call
    expect((await open('GET', '/v1/entities/e')).status).toBe(404)
    expect((await open('POST', '/v1/entities', { name: 'x' })).status).toBe(401)
  })

  it('verifies single presigned uploads: signature, length, checksum header, no Authorization', async () => {
    const { call, mock } = wire()
    const bytes = new Uint8Array(1000).fill(3)
    const { image } = await records(call, bytes)
    const started = await call('POST', `/v2/imagefile/${image.id}`, {
      filesize: 1000,
      sha256sum: sha(bytes),
    })
    const url: string = started.json.data.uploadURL
    expect(url.startsWith(`${mock.storageUrl}/upload/`)).toBe(true)
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-amz-content-sha256')
    const headers = { 'x-amz-content-sha256': sha(bytes), 'content-length': '1000' }
    expect((await call('PUT', url, bytes, { ...headers, authorization: 'Bearer x' })).status).toBe(
      400,
    )
    expect((await call('PUT', url, bytes, { 'content-length': '1000' })).status).toBe(403)
    expect(
      (await call('PUT', url.replace(/Signature=[^&]+/, 'Signature=forged'), bytes, headers))
        .status,
    ).toBe(403)
    const wrong = new Uint8Array(1000).fill(4)
    expect((await call('PUT', url, wrong, headers)).json).toContain('XAmzContentSHA256Mismatch')
    expect((await call('PUT', url, bytes, headers)).status).toBe(200)
    const done = await call('PUT', `/v2/imagefile/${image.id}/_complete`, {})
    expect(done.json.data).toEqual({
      quota: { quotaTotal: 2 ** 40, quotaUsage: 1000 },
      containerUrl: 'entities/e/collections/c/containers/n',
    })
  })

  it('checks multipart part sizes, per-part checksums and completed ETags; abort discards', async () => {
    const { call, mock } = wire({ partSize: 600, s3compliant: 'true' })
    const bytes = new Uint8Array(1000).map((_, i) => i % 256)
    const { image } = await records(call, bytes)
    const base = `/v2/imagefile/${image.id}`
    const start = (await call('POST', `${base}/_multipart`, { filesize: 1000 })).json.data
    expect(start).toMatchObject({ totalParts: 2, partSize: 600, options: { s3compliant: 'true' } })
    const part = (n: number, size: number, sum: string) =>
      call('PUT', `${base}/_multipart`, {
        partSize: size,
        uploadID: start.uploadID,
        partNumber: n,
        sha256sum: sum,
      })
    expect((await part(1, 500, sha(bytes.subarray(0, 600)))).status).toBe(400)
    expect((await part(3, 400, sha(bytes.subarray(600)))).status).toBe(400)
    expect((await part(1, 600, '')).status).toBe(400)
    const etags: string[] = []
    for (const [n, slice] of [
      [1, bytes.subarray(0, 600)],
      [2, bytes.subarray(600)],
    ] as const) {
      const url = (await part(n, slice.byteLength, sha(slice))).json.data.presignedURL
      const put = await call('PUT', url, slice, {
        'x-amz-content-sha256': sha(slice),
        'content-length': String(slice.byteLength),
      })
      expect(put.status).toBe(200)
      etags.push(put.headers.get('etag')!)
    }
    const complete = (tokens: string[]) =>
      call('PUT', `${base}/_multipart_complete`, {
        uploadID: start.uploadID,
        completedParts: tokens.map((token, i) => ({ partNumber: i + 1, token })),
      })
    expect((await complete([etags[0]!, '"nope"'])).status).toBe(400)
    expect((await complete(etags)).status).toBe(200)
    expect(mock.state.images.get(image.id)).toMatchObject({ uploaded: true, size: 1000 })

    const again = (await call('POST', `${base}/_multipart`, { filesize: 1000 })).json.data
    expect(
      (await call('PUT', `${base}/_multipart_abort`, { uploadID: again.uploadID })).status,
    ).toBe(200)
    expect(mock.state.aborted).toEqual([again.uploadID])
    expect(
      (await call('PUT', `${base}/_multipart_abort`, { uploadID: again.uploadID })).status,
    ).toBe(404)
  })

  it('refuses a file whose hash is not the image hash (422) and uploads over quota (507)', async () => {
    const { call } = wire({ quota: 10 })
    const bytes = new Uint8Array([9, 9, 9])
    const { image } = await records(call, bytes)
    expect(
      (await call('POST', `/v1/imagefile/${image.id}`, new Uint8Array([1, 2, 3]))).status,
    ).toBe(422)
    expect(
      (await call('POST', `/v2/imagefile/${image.id}/_multipart`, { filesize: 11 })).status,
    ).toBe(507)
    expect((await call('POST', `/v1/imagefile/${image.id}`, bytes)).status).toBe(200)
  })

  it('redirects downloads to the storage origin, which honours Range', async () => {
    const { call } = wire()
    const bytes = new Uint8Array(100).map((_, i) => i)
    const { image, container } = await records(call, bytes)
    await call('POST', `/v1/imagefile/${image.id}`, bytes)
    await call('POST', `/v1/tags/${container.id}`, { Tag: 'latest', ImageID: image.id })
    const redirect = await call('GET', '/v1/imagefile/e/c/n:latest?arch=')
    expect(redirect.status).toBe(303)
    const location = redirect.headers.get('location')!
    const ranged = await call('GET', location, undefined, { range: 'bytes=10-19' })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get('content-range')).toBe('bytes 10-19/100')
    expect(
      (await call('GET', location, undefined, { range: 'bytes=-5' })).headers.get('content-range'),
    ).toBe('bytes 95-99/100')
    expect((await call('GET', location, undefined, { range: 'bytes=100-' })).status).toBe(416)
    expect((await call('GET', location)).status).toBe(200)
    expect((await call('GET', '/v1/imagefile/e/c/n:nope?arch=')).status).toBe(404)
  })

  it('searches names and hashes; arch or signed limit the answer to images', async () => {
    const { call } = wire()
    const bytes = new Uint8Array([5])
    const { image } = await records(call, bytes)
    await call('POST', `/v1/imagefile/${image.id}`, bytes)
    expect((await call('GET', '/v1/search?value=ab')).status).toBe(400)
    const found = (await call('GET', `/v1/search?value=${sha(bytes).slice(0, 8)}`)).json.data
    expect(found.image.map((i: { id: string }) => i.id)).toEqual([image.id])
    const signed = (await call('GET', `/v1/search?value=${sha(bytes).slice(0, 8)}&signed=true`))
      .json.data
    expect(signed).toEqual({ entity: [], collection: [], container: [], image: [] })
  })

  it('injects failures on the library origin', async () => {
    const { call, mock } = wire()
    mock.faults.failNext = { status: 503, count: 1, paths: /version/ }
    expect((await call('GET', '/version')).status).toBe(503)
    expect((await call('GET', '/version')).status).toBe(200)
  })
})
