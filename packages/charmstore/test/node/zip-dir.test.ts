import { createHash } from 'node:crypto'
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidArchiveError } from '../../src/index.js'
import { archiveFrom, extractArchive, zipDirectory } from '../../src/node/index.js'
import { startStore, zipOf } from '../fixtures.js'

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wharf-charmstore-'))
})
afterAll(() => rm(tmp, { recursive: true, force: true }))

async function makeCharmDir(dir: string) {
  await mkdir(join(dir, 'hooks'), { recursive: true })
  await mkdir(join(dir, '.git', 'objects'), { recursive: true })
  await writeFile(
    join(dir, 'metadata.yaml'),
    'name: tiny\nsummary: s\ndescription: d\nseries: [xenial]\n',
  )
  await writeFile(join(dir, 'hooks', 'install'), '#!/bin/sh\n')
  await chmod(join(dir, 'hooks', 'install'), 0o755)
  await writeFile(join(dir, '.git', 'objects', 'blob'), 'vcs data')
  await writeFile(join(dir, 'b.txt'), 'b')
  await writeFile(join(dir, 'a.txt'), 'a')
  await symlink('install', join(dir, 'hooks', 'start'))
}

describe('zipDirectory', () => {
  it('is deterministic: same tree, same bytes, whatever the timestamps', async () => {
    const dir = join(tmp, 'charm')
    await makeCharmDir(dir)
    const first = await zipDirectory(dir)
    await utimes(join(dir, 'a.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1))
    const second = await zipDirectory(dir)
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true)
    const names = Object.keys(unzipSync(first))
    expect(names).toEqual(['a.txt', 'b.txt', 'hooks/install', 'hooks/start', 'metadata.yaml'])
    await writeFile(join(dir, 'a.txt'), 'changed')
    expect(Buffer.from(await zipDirectory(dir)).equals(Buffer.from(first))).toBe(false)
  })

  it('keeps executable bits and stores symlinks as links', async () => {
    const dir = join(tmp, 'modes')
    await makeCharmDir(dir)
    const zip = await zipDirectory(dir)
    const modes = new Map<string, number>()
    // Central directory: external attributes at offset 38 of each header, name at 46.
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
    for (let i = 0; i < zip.byteLength - 46; i++) {
      if (view.getUint32(i, true) !== 0x02014b50) continue
      const nameLength = view.getUint16(i + 28, true)
      const name = new TextDecoder().decode(zip.subarray(i + 46, i + 46 + nameLength))
      modes.set(name, view.getUint32(i + 38, true) >>> 16)
    }
    expect(modes.get('hooks/install')).toBe(0o100755)
    expect(modes.get('a.txt')).toBe(0o100644)
    expect(modes.get('hooks/start')).toBe(0o120777)
    expect(new TextDecoder().decode(unzipSync(zip)['hooks/start'])).toBe('install')
  })

  it('fails cleanly on a missing directory or too many files', async () => {
    await expect(zipDirectory(join(tmp, 'absent'))).rejects.toThrow(InvalidArchiveError)
    const dir = join(tmp, 'many')
    await makeCharmDir(dir)
    await expect(zipDirectory(dir, { maxFiles: 2 })).rejects.toThrow(/more than 2 files/)
    await expect(zipDirectory(join(dir, 'a.txt'))).rejects.toThrow(/not a directory/)
  })

  it('archiveFrom zips a directory and reads an archive file; uploadCharm takes either', async () => {
    const dir = join(tmp, 'tiny')
    await makeCharmDir(dir)
    const zip = await archiveFrom(dir)
    await writeFile(join(tmp, 'tiny.zip'), zip)
    expect(Buffer.from(await archiveFrom(join(tmp, 'tiny.zip'))).equals(Buffer.from(zip))).toBe(
      true,
    )
    const env = await startStore()
    try {
      const id = await env.client.uploadCharm('~bob/tiny', await archiveFrom(dir))
      expect(id.toString()).toBe('cs:~bob/tiny-0')
      const { meta } = await env.client.meta(id, { hash: true, supportedSeries: true })
      expect(meta.hash!.Sum).toBe(createHash('sha384').update(zip).digest('hex'))
      expect(meta.supportedSeries!.SupportedSeries).toEqual(['xenial'])
    } finally {
      await env.close()
    }
  })
})

describe('extractArchive', () => {
  it('writes the files under the target', async () => {
    const target = join(tmp, 'out')
    const written = await extractArchive(zipOf({ 'a/b.txt': 'B', 'c.txt': 'C' }), target)
    expect(written.sort()).toEqual(['a/b.txt', 'c.txt'])
    expect(await readFile(join(target, 'a', 'b.txt'), 'utf8')).toBe('B')
  })

  it('writes nothing when an entry would escape (zip-slip) or the zip is corrupt', async () => {
    const target = join(tmp, 'slip')
    await expect(
      extractArchive(zipOf({ 'ok.txt': 'fine', 'x/../../escape.txt': 'no' }), target),
    ).rejects.toThrow(InvalidArchiveError)
    await expect(stat(target)).rejects.toThrow()
    await expect(stat(join(tmp, 'escape.txt'))).rejects.toThrow()
    await expect(extractArchive(new Uint8Array([80, 75, 3, 4, 1, 2]), target)).rejects.toThrow(
      /corrupt zip/,
    )
    await expect(stat(target)).rejects.toThrow()
  })

  it('never overwrites an existing file', async () => {
    const target = join(tmp, 'existing')
    await mkdir(target)
    await writeFile(join(target, 'c.txt'), 'mine')
    await expect(extractArchive(zipOf({ 'c.txt': 'theirs' }), target)).rejects.toThrow(
      /would overwrite an existing file/,
    )
    expect(await readFile(join(target, 'c.txt'), 'utf8')).toBe('mine')
    expect(await readdir(target)).toEqual(['c.txt'])
  })
})
