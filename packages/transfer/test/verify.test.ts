import { describe, expect, it } from 'vitest'
import {
  DigestMismatchError,
  digestOf,
  type ProgressEvent,
  SizeMismatchError,
  verifyingStream,
  verifyStream,
} from '../src/index.js'

const enc = new TextEncoder()
function chunks(...parts: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(enc.encode(p))
      c.close()
    },
  })
}
async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  let out = ''
  const dec = new TextDecoder()
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) out += dec.decode(c)
  return out
}

describe('verifyingStream', () => {
  it('passes bytes through and resolves the digest and size', async () => {
    const events: ProgressEvent[] = []
    const v = verifyStream(chunks('hel', 'lo'), {
      expected: digestOf('hello'),
      size: 5,
      onProgress: (e) => events.push(e),
    })
    expect(await collect(v)).toBe('hello')
    const { digest, size } = await v.result
    expect(size).toBe(5)
    expect(digest.equals(digestOf('hello'))).toBe(true)
    expect(events).toEqual([
      { type: 'progress', transferred: 3, total: 5 },
      { type: 'progress', transferred: 5, total: 5 },
    ])
  })

  it('fails at the end with DigestMismatchError naming expected, actual and bytes', async () => {
    const v = verifyStream(chunks('hello'), { expected: digestOf('world').toLibraryString() })
    const error = await collect(v).catch((e) => e)
    expect(error).toBeInstanceOf(DigestMismatchError)
    expect(error.code).toBe('ERR_DIGEST_MISMATCH')
    expect(error.expected.equals(digestOf('world'))).toBe(true)
    expect(error.actual.equals(digestOf('hello'))).toBe(true)
    expect(error.bytes).toBe(5)
    await expect(v.result).rejects.toBe(error)
  })

  it('fails as soon as more bytes than announced arrive', async () => {
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++
        if (pulled > 100) throw new Error('kept reading past the announced size')
        c.enqueue(new Uint8Array(4))
      },
    })
    const v = verifyStream(endless, { size: 10 })
    const error = await collect(v).catch((e) => e)
    expect(error).toBeInstanceOf(SizeMismatchError)
    expect(error.code).toBe('ERR_SIZE_MISMATCH')
    expect(error.expected).toBe(10)
    expect(error.actual).toBe(12)
    expect(pulled).toBeLessThan(10)
  })

  it('fails at the end when fewer bytes arrive', async () => {
    const v = verifyStream(chunks('abc'), { size: 4, expected: digestOf('abc') })
    const error = await collect(v).catch((e) => e)
    expect(error).toBeInstanceOf(SizeMismatchError)
    expect(error.actual).toBe(3)
  })

  it('uses the expected digest algorithm and rejects result on cancel', async () => {
    const t = verifyingStream({ expected: digestOf('x', 'sha512') })
    const w = t.writable.getWriter()
    void w.write(enc.encode('x'))
    void w.close()
    await collect(t.readable)
    expect((await t.result).digest.algorithm).toBe('sha512')

    const c = verifyingStream({})
    await c.readable.cancel(new Error('stop'))
    await expect(c.result).rejects.toThrow('stop')
  })

  it('rejects invalid options with typed errors', () => {
    expect(() => verifyingStream({ size: -1 })).toThrow(/size must be a non-negative integer/)
    expect(() => verifyingStream({ expected: 'sha256:zz' })).toThrow(/bad character/)
  })
})
