import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMock, wharf } from './helpers.js'

describe('wharf library against `wharf mock library`', () => {
  let mock: Awaited<ReturnType<typeof startMock>>
  let lib: string[]
  let dir: string
  const image = Buffer.alloc(7 * 1024 * 1024).map((_, i) => i % 253)
  beforeAll(async () => {
    mock = await startMock('library')
    lib = ['--library', mock.urls.library!]
    dir = await mkdtemp(join(tmpdir(), 'wharf-cli-library-'))
    await writeFile(join(dir, 'alpine.sif'), image)
  })
  afterAll(async () => {
    mock?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('shows the API version', async () => {
    const r = await wharf(['--json', 'library', 'version', ...lib])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).apiVersion).toMatch(/^\d/)
  })

  it('pushes, finds, pulls (verified) and removes an image', async () => {
    const push = await wharf([
      'library',
      'push',
      join(dir, 'alpine.sif'),
      'library://alice/tools/alpine:3.9,latest',
      ...lib,
    ])
    expect(push.code, push.stderr).toBe(0)
    const search = await wharf(['--json', 'library', 'search', 'alpine', ...lib])
    expect(search.code, search.stderr).toBe(0)
    expect(JSON.stringify(JSON.parse(search.stdout))).toContain('alpine')
    const out = join(dir, 'pulled.sif')
    const pull = await wharf([
      '--json',
      'library',
      'pull',
      'library://alice/tools/alpine:3.9',
      out,
      '--concurrency',
      '2',
      ...lib,
    ])
    expect(pull.code, pull.stderr).toBe(0)
    expect(JSON.parse(pull.stdout).hash).toBe(
      `sha256.${createHash('sha256').update(image).digest('hex')}`,
    )
    expect((await readFile(out)).equals(image)).toBe(true)
    expect((await wharf(['library', 'rm', 'alice/tools/alpine:3.9', ...lib])).code).toBe(0)
    const gone = await wharf([
      'library',
      'pull',
      'alice/tools/alpine:3.9',
      join(dir, 'gone.sif'),
      ...lib,
    ])
    expect(gone.code).toBe(3)
    expect(existsSync(join(dir, 'gone.sif'))).toBe(false)
  })

  it('rejects a malformed reference with exit 2', async () => {
    const r = await wharf(['library', 'pull', 'library://alice/tools/alpine?x=1', ...lib])
    expect(r.code).toBe(2)
  })
})
