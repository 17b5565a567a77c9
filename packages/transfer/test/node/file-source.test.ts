import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { multipartUpload, TransferOptionsError } from '../../src/index.js'
import { fileSource } from '../../src/node/index.js'

let dir: string
const bytes = new Uint8Array(700_000).map((_, i) => (i * 5 + (i >> 10)) % 256)
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-source-'))
  await writeFile(join(dir, 'file.bin'), bytes)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

it('reads byte ranges of a file and feeds a multipart upload', async () => {
  const source = fileSource(join(dir, 'file.bin'))
  expect(source.size).toBe(bytes.length)
  const slice = new Uint8Array(await new Response(source.open(10, 20)).arrayBuffer())
  expect([...slice]).toEqual([...bytes.subarray(10, 20)])
  const parts: Uint8Array[] = []
  const digest = await multipartUpload({
    source,
    partSize: 256 * 1024,
    adapter: {
      start: async () => ({ uploadId: 'f' }),
      uploadPart: async (p) => {
        parts[p.partNumber - 1] = new Uint8Array(
          await new Response(await p.body.open()).arrayBuffer(),
        )
        return {}
      },
      complete: async ({ digest }) => String(digest),
      abort: async () => {},
    },
  })
  expect(digest).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`)
  expect(Buffer.concat(parts).equals(Buffer.from(bytes))).toBe(true)
})

it('names the file it cannot read', () => {
  expect(() => fileSource(join(dir, 'missing.bin'))).toThrow(TransferOptionsError)
  expect(() => fileSource(join(dir, 'missing.bin'))).toThrow(/cannot upload .*missing\.bin: ENOENT/)
  expect(() => fileSource(dir)).toThrow(/not a regular file/)
})
