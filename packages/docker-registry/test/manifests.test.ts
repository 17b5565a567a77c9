import { describe, expect, it } from 'vitest'
import { DockerMediaType, isSchema1Type, parseSchema1 } from '../src/index.js'
import { EMPTY_LAYER_DIGEST, schema1, sha256 } from './fixtures.js'

describe('schema 1 manifests', () => {
  it('digests a signed manifest over its JWS payload (the reference example)', () => {
    const { signed, payload, protectedHeader, digest, bodyDigest } = schema1()
    expect(payload.byteLength).toBe(348)
    expect(protectedHeader).toBe(
      'eyJmb3JtYXRMZW5ndGgiOjM0NiwiZm9ybWF0VGFpbCI6IkNuMCIsInRpbWUiOiIyMDIwLTAxLTAxVDAwOjAwOjAwWiJ9',
    )
    expect(digest).toBe('sha256:838266cdddbb4f71355bf39e490e326ec1719afbd1f60059a908aa3838de6c1e')
    const parsed = parseSchema1(signed, DockerMediaType.ManifestV1Signed)
    expect(parsed.signed).toBe(true)
    expect(parsed.digest.toString()).toBe(digest)
    expect(parsed.digest.toString()).not.toBe(bodyDigest)
    expect(parsed.payload).toEqual(payload)
    expect(parsed.manifest).toMatchObject({
      schemaVersion: 1,
      name: 'acme/app',
      tag: 'v1',
      architecture: 'amd64',
    })
    expect(parsed.layers).toEqual([
      {
        digest: EMPTY_LAYER_DIGEST,
        v1Compatibility: { id: '3f1a', created: '2020-01-01T00:00:00Z' },
      },
    ])
  })

  it('digests an unsigned manifest over its body and orders layers base first', () => {
    const body = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 1,
        name: 'a/b',
        tag: 't',
        fsLayers: [
          { blobSum: `sha256:${'1'.repeat(64)}` },
          { blobSum: `sha256:${'2'.repeat(64)}` },
        ],
        history: [
          { v1Compatibility: '{"id":"top","parent":"base"}' },
          { v1Compatibility: '{"id":"base"}' },
        ],
      }),
    )
    const parsed = parseSchema1(body)
    expect(parsed.signed).toBe(false)
    expect(parsed.mediaType).toBe(DockerMediaType.ManifestV1)
    expect(parsed.digest.toString()).toBe(sha256(body))
    expect(parsed.layers.map((l) => l.v1Compatibility.id)).toEqual(['base', 'top'])
  })

  it.each([
    ['not JSON', '{', 'ERR_PARSE'],
    [
      'wrong version',
      '{"schemaVersion":2,"name":"a","tag":"t","fsLayers":[],"history":[]}',
      'ERR_INVALID_MANIFEST',
    ],
    [
      'length mismatch',
      `{"schemaVersion":1,"name":"a","tag":"t","fsLayers":[{"blobSum":"sha256:${'1'.repeat(64)}"}],"history":[]}`,
      'ERR_INVALID_MANIFEST',
    ],
    [
      'bad blobSum',
      '{"schemaVersion":1,"name":"a","tag":"t","fsLayers":[{"blobSum":"md5:x"}],"history":[{"v1Compatibility":"{\\"id\\":\\"x\\"}"}]}',
      'ERR_INVALID_MANIFEST',
    ],
    [
      'bad v1Compatibility',
      `{"schemaVersion":1,"name":"a","tag":"t","fsLayers":[{"blobSum":"sha256:${'1'.repeat(64)}"}],"history":[{"v1Compatibility":"nope"}]}`,
      'ERR_INVALID_MANIFEST',
    ],
  ])('refuses %s', (_, body, code) => {
    expect(() => parseSchema1(new TextEncoder().encode(body))).toThrow(
      expect.objectContaining({ code }),
    )
  })

  it('refuses signatures that disagree or point outside the body', () => {
    const { signed } = schema1()
    const text = new TextDecoder().decode(signed)
    const header = (length: number) =>
      Buffer.from(JSON.stringify({ formatLength: length, formatTail: 'Cn0' })).toString('base64url')
    const twice = JSON.parse(text)
    twice.signatures.push({ ...twice.signatures[0], protected: header(10) })
    expect(() => parseSchema1(new TextEncoder().encode(JSON.stringify(twice)))).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_MANIFEST',
        message: expect.stringMatching(/disagrees/),
      }),
    )
    const outside = JSON.parse(text)
    outside.signatures[0].protected = header(1e6)
    expect(() => parseSchema1(new TextEncoder().encode(JSON.stringify(outside)))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_MANIFEST' }),
    )
    const garbage = JSON.parse(text)
    garbage.signatures[0].protected = '!!'
    expect(() => parseSchema1(new TextEncoder().encode(JSON.stringify(garbage)))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_MANIFEST' }),
    )
  })

  it('knows the schema 1 media types', () => {
    expect(isSchema1Type(`${DockerMediaType.ManifestV1Signed}; charset=utf-8`)).toBe(true)
    expect(isSchema1Type(DockerMediaType.ManifestV2)).toBe(false)
    expect(isSchema1Type(null)).toBe(false)
  })
})
