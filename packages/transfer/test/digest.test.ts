import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  createHasher,
  Digest,
  digestOf,
  hashStream,
  InvalidDigestError,
  parseDigest,
} from '../src/index.js'

const hex256 = createHash('sha256').update('hello').digest('hex')

describe('parseDigest', () => {
  it.each([
    [`sha256:${hex256}`, 'sha256', hex256],
    [`sha256.${hex256}`, 'sha256', hex256],
    [`sha384:${'a'.repeat(96)}`, 'sha384', 'a'.repeat(96)],
    [`sha512:${'0'.repeat(128)}`, 'sha512', '0'.repeat(128)],
  ])('accepts %s', (input, algorithm, hex) => {
    const d = parseDigest(input)
    expect(d.algorithm).toBe(algorithm)
    expect(d.hex).toBe(hex)
  })

  it.each([
    [`md5:${'a'.repeat(32)}`, /unknown algorithm "md5"/],
    [`sha256:${'a'.repeat(63)}`, /wrong hex length for sha256: 63 characters, expected 64/],
    [`sha512:${'a'.repeat(64)}`, /wrong hex length for sha512: 64 characters, expected 128/],
    [`sha256:${'A'.repeat(64)}`, /bad character "A" at position 0/],
    [`sha256:${'a'.repeat(10)}z${'a'.repeat(53)}`, /bad character "z" at position 10/],
    ['sha256', /expected "<algorithm>:<hex>"/],
    ['', /expected "<algorithm>:<hex>"/],
    [`SHA256:${hex256}`, /expected "<algorithm>:<hex>"/],
  ])('rejects %s', (input, message) => {
    let error: unknown
    try {
      parseDigest(input)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidDigestError)
    expect((error as InvalidDigestError).code).toBe('ERR_INVALID_DIGEST')
    expect((error as Error).message).toMatch(message)
  })

  it('rejects non-strings with a typed error', () => {
    expect(() => parseDigest(42 as never)).toThrow(InvalidDigestError)
  })

  it('formats both forms and compares', () => {
    const d = parseDigest(`sha256.${hex256}`)
    expect(d.toString()).toBe(`sha256:${hex256}`)
    expect(d.toLibraryString()).toBe(`sha256.${hex256}`)
    expect(JSON.stringify({ d })).toBe(`{"d":"sha256:${hex256}"}`)
    expect(d.equals(`sha256:${hex256}`)).toBe(true)
    expect(d.equals(new Digest('sha256', hex256))).toBe(true)
    expect(d.equals(`sha256:${'0'.repeat(64)}`)).toBe(false)
    expect(d.equals('garbage')).toBe(false)
    expect(() => new Digest('sha256', 'abc')).toThrow(/wrong hex length/)
  })
})

describe('hashing', () => {
  const data = new Uint8Array(300_000).map((_, i) => (i * 31) % 251)

  it.each(['sha256', 'sha384', 'sha512'] as const)(
    '%s: node and portable backends agree with node:crypto, chunk by chunk',
    (algorithm) => {
      const want = createHash(algorithm).update(data).digest('hex')
      for (const backend of ['node', 'portable'] as const) {
        const h = createHasher(algorithm, backend)
        for (let i = 0; i < data.length; i += 7919) h.update(data.subarray(i, i + 7919))
        expect(h.digest().toString()).toBe(`${algorithm}:${want}`)
      }
      expect(digestOf(data, algorithm).hex).toBe(want)
    },
  )

  it('digestOf hashes strings as UTF-8 and a hasher is single-use', () => {
    expect(digestOf('hello').hex).toBe(hex256)
    const h = createHasher()
    h.digest()
    expect(() => h.update(new Uint8Array(1))).toThrow(/already finished/)
    expect(() => createHasher('md5' as never)).toThrow(/unsupported digest algorithm "md5"/)
  })

  it('hashStream reads a stream to its end', async () => {
    const stream = new Blob([data]).stream()
    const { digest, size } = await hashStream(stream, 'sha384')
    expect(size).toBe(data.length)
    expect(digest.hex).toBe(createHash('sha384').update(data).digest('hex'))
  })
})
