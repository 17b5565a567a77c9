import { createHash } from 'node:crypto'
import { DigestMismatchError } from '@wharf/transfer'
import { describe, expect, it } from 'vitest'
import { ProvisionError } from '../src/index.js'
import { startMock } from './helpers.js'

const text = (s: string) => new TextEncoder().encode(s)

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text()
}

describe('files', () => {
  it('uploads, lists, downloads and deletes files in a tree', async () => {
    const { client, mock } = await startMock()
    expect(await client.postBlob(text('one'), 'files', 'a', 'b', 'c.txt')).toEqual({
      Path: '/a/b/c.txt',
      Size: 3,
    })
    await client.postBlob(new Blob(['top']), 'files', 'top.txt')
    expect(await client.listBlobs('files')).toEqual(['a/', 'top.txt'])
    expect(await client.listBlobs('files', 'path', '/a/b')).toEqual(['c.txt'])
    expect(await collect(await client.file('a', 'b', 'c.txt'))).toBe('one')
    const chunks: Uint8Array[] = []
    await client.getBlob(
      new WritableStream({ write: (c) => void chunks.push(c) }),
      'files',
      'top.txt',
    )
    expect(Buffer.concat(chunks).toString()).toBe('top')
    await client.deleteBlob('files', 'a', 'b', 'c.txt')
    expect(mock.store.files.has('/a/b/c.txt')).toBe(false)
    await expect(client.listBlobs('files', 'path', '/a')).rejects.toMatchObject({
      status: 404,
      type: 'API ERROR',
    })
  })

  it('refuses a missing file, a file under a file, and deleting nothing', async () => {
    const { client } = await startMock()
    await client.postBlob(text('x'), 'files', 'f')
    await expect(client.file('nope')).rejects.toMatchObject({
      status: 404,
      messages: ['Not a regular file'],
      key: '/nope',
    })
    await expect(client.postBlob(text('y'), 'files', 'f', 'g')).rejects.toMatchObject({
      status: 409,
      messages: ['Cannot create directory /f'],
    })
    await expect(client.deleteBlob('files', 'nope')).rejects.toBeInstanceOf(ProvisionError)
  })

  it('streams a large upload and the server gets every byte', async () => {
    const { client, mock } = await startMock()
    const chunk = new Uint8Array(1024 * 1024).map((_, i) => i % 251)
    const count = 12
    let sent = 0
    const hash = createHash('sha256')
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === count) return controller.close()
        sent++
        hash.update(chunk)
        controller.enqueue(chunk)
      },
    })
    const info = await client.postBlob(source, 'files', 'big.bin')
    expect(info.Size).toBe(count * chunk.byteLength)
    const stored = mock.store.files.get('/big.bin')!
    expect(createHash('sha256').update(stored).digest('hex')).toBe(hash.digest('hex'))
  })
})

describe('isos', () => {
  it('an upload makes a bootenv waiting for it Available and publishes a save event', async () => {
    const { client, mock } = await startMock()
    const iso = text('iso bytes')
    const sha = createHash('sha256').update(iso).digest('hex')
    const env = await client.createModel('bootenvs', {
      Name: 'centos-install',
      Kernel: 'vmlinuz',
      OS: { Name: 'centos-7', IsoFile: 'centos.iso', IsoSha256: sha },
    })
    expect(env.Available).toBe(false)
    expect(env.Errors).toEqual(['Explode ISO: iso does not exist: /isos/centos.iso'])
    expect(await client.uploadISOForBootEnv(env, iso)).toEqual({
      Path: 'centos.iso',
      Size: iso.byteLength,
    })
    expect(await client.listBlobs('isos')).toEqual(['centos.iso'])
    expect((await client.getModel('bootenvs', 'centos-install')).Available).toBe(true)
    expect(mock.events.at(-1)).toMatchObject({
      Type: 'bootenvs',
      Action: 'save',
      Key: 'centos-install',
    })
    await client.deleteBlob('isos', 'centos.iso')
    await expect(client.deleteBlob('isos', 'centos.iso')).rejects.toMatchObject({
      status: 404,
      messages: ['no such iso'],
    })
  })

  it('an ISO that does not match OS.IsoSha256 is refused and not stored', async () => {
    const { client, mock } = await startMock()
    const env = { Name: 'x', OS: { IsoFile: 'bad.iso', IsoSha256: 'a'.repeat(64) } }
    const error = await client.uploadISOForBootEnv(env, text('not it')).catch((e) => e)
    expect(error).toBeInstanceOf(DigestMismatchError)
    expect(mock.store.isos.has('bad.iso')).toBe(false)
  })

  it('the server wants octet-stream for ISOs (415 otherwise)', async () => {
    const { client } = await startMock()
    await expect(
      client.req().post({ not: 'bytes' }).urlFor('isos', 'j.iso').do(),
    ).rejects.toMatchObject({ status: 415 })
  })
})

describe('plugin providers', () => {
  it('uploads, reads and deletes a provider binary', async () => {
    const { client } = await startMock()
    expect(await client.postBlob(text('elf'), 'plugin_providers', 'ipmi')).toEqual({
      path: 'ipmi',
      size: 3,
    })
    expect((await client.getModel('plugin_providers', 'ipmi')).Name).toBe('ipmi')
    await client.deleteBlob('plugin_providers', 'ipmi')
    expect(await client.listModel('plugin_providers')).toEqual([])
  })
})
