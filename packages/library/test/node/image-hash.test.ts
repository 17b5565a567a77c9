import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { isImageHash } from '../../src/index.js'
import { imageHash } from '../../src/node/index.js'

const dir = await mkdtemp(join(tmpdir(), 'wharf-library-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

it('hashes a file as sha256.<hex>', async () => {
  const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) % 251)
  const file = join(dir, 'image.sif')
  await writeFile(file, bytes)
  const hash = await imageHash(file)
  expect(hash).toBe(`sha256.${createHash('sha256').update(bytes).digest('hex')}`)
  expect(isImageHash(hash)).toBe(true)
})

it('fails with a typed error for a missing file', async () => {
  await expect(imageHash(join(dir, 'missing.sif'))).rejects.toMatchObject({
    code: 'ERR_INVALID_ARGUMENT',
  })
})
