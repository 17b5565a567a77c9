import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  IsoInstallError,
  installBootEnvFromFile,
  installISOForBootenv,
  installRawTemplateFromFile,
} from '../../src/node/index.js'
import { onCleanup, seen, startMock } from '../helpers.js'

// Loaded lazily: under vitest, a static import of core-http/node before the first fetch
// breaks Node 20's fetch for string bodies ("invalid content-length header").
const serve = async (handler: (r: Request) => Response) =>
  (await import('@wharf/core-http/node')).serve(handler)

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-provision-'))
  onCleanup(() => rm(dir, { recursive: true, force: true }))
})

const ISO = new TextEncoder().encode('a small iso image')
const SHA = createHash('sha256').update(ISO).digest('hex')

describe('installISOForBootenv', () => {
  it('does nothing without an IsoFile or when the server has the ISO', async () => {
    const { client, mock } = await startMock()
    await installISOForBootenv(client, { Name: 'a', OS: {} }, join(dir, 'x.iso'))
    mock.store.isos.set('have.iso', ISO)
    const from = mock.requests.length
    await installISOForBootenv(
      client,
      { Name: 'a', OS: { IsoFile: 'have.iso' } },
      join(dir, 'nothing'),
    )
    expect(seen(mock, from)).toEqual(['GET /api/v3/isos'])
  })

  it('uploads a local file, streamed from disk and verified', async () => {
    const { client, mock } = await startMock()
    const src = join(dir, 'local.iso')
    await writeFile(src, ISO)
    await installISOForBootenv(
      client,
      { Name: 'a', OS: { IsoFile: 'local.iso', IsoSha256: SHA } },
      src,
    )
    expect(mock.store.isos.get('local.iso')).toEqual(ISO)
    expect(mock.requests.at(-1)!.headers['content-type']).toBe('application/octet-stream')
  })

  it.each([
    ['DOWNLOAD_NOT_ALLOWED', { IsoFile: 'm.iso', IsoUrl: 'http://127.0.0.1:9/m.iso' }, false],
    ['DOWNLOAD_NOT_POSSIBLE', { IsoFile: 'm.iso' }, true],
  ])('%s', async (type, OS, downloadOK) => {
    const { client } = await startMock()
    const error = await installISOForBootenv(client, { Name: 'a', OS }, join(dir, 'm.iso'), {
      downloadOK,
    }).catch((e) => e)
    expect(error).toBeInstanceOf(IsoInstallError)
    expect(error).toMatchObject({ type, code: `ERR_${type}` })
  })

  it('ISO_SRC_IS_A_DIR', async () => {
    const { client } = await startMock()
    await mkdir(join(dir, 'd.iso'))
    await expect(
      installISOForBootenv(client, { Name: 'a', OS: { IsoFile: 'd.iso' } }, join(dir, 'd.iso')),
    ).rejects.toMatchObject({
      type: 'ISO_SRC_IS_A_DIR',
    })
  })

  it('downloads a missing ISO from IsoUrl without the session credentials, then uploads it', async () => {
    const { client, mock } = await startMock()
    const auths: Array<string | null> = []
    const origin = await serve((request) => {
      auths.push(request.headers.get('authorization'))
      return new Response(ISO as BodyInit, {
        headers: { 'content-length': String(ISO.byteLength) },
      })
    })
    onCleanup(() => origin.close())
    const src = join(dir, 'dl.iso')
    const env = {
      Name: 'a',
      OS: { IsoFile: 'dl.iso', IsoUrl: `${origin.url}/dl.iso`, IsoSha256: SHA },
    }
    await installISOForBootenv(client, env, src, { downloadOK: true })
    expect(auths.length).toBeGreaterThan(0)
    expect(auths.every((a) => a === null)).toBe(true)
    expect(mock.store.isos.get('dl.iso')).toEqual(ISO)
  })

  it('a download that does not match IsoSha256 fails and leaves no file behind', async () => {
    const { client, mock } = await startMock()
    const origin = await serve(() => new Response('tampered'))
    onCleanup(() => origin.close())
    const env = {
      Name: 'a',
      OS: { IsoFile: 't.iso', IsoUrl: `${origin.url}/t.iso`, IsoSha256: SHA },
    }
    const error = await installISOForBootenv(client, env, join(dir, 't.iso'), {
      downloadOK: true,
    }).catch((e) => e)
    expect(error).toMatchObject({ type: 'DOWNLOAD_FAILED' })
    expect(await readdir(dir)).toEqual([])
    expect(mock.store.isos.size).toBe(0)
  })
})

describe('templates and bootenvs from files', () => {
  it('installs a raw template once, named after the file', async () => {
    const { client, mock } = await startMock()
    const src = join(dir, 'hello.tmpl')
    await writeFile(src, 'hello {{.Machine.Name}}')
    expect(await installRawTemplateFromFile(client, src)).toMatchObject({
      ID: 'hello.tmpl',
      Contents: 'hello {{.Machine.Name}}',
    })
    await writeFile(src, 'changed')
    expect((await installRawTemplateFromFile(client, src)).Contents).toBe('hello {{.Machine.Name}}')
    expect(mock.objects('templates').length).toBe(1)
  })

  it('installs a YAML bootenv with the templates of a sibling templates/ directory', async () => {
    const { client, mock } = await startMock()
    await mkdir(join(dir, 'templates'))
    await writeFile(join(dir, 'templates', 'kick.tmpl'), 'kickstart')
    await writeFile(join(dir, 'templates', 'other.cfg'), 'other')
    await writeFile(
      join(dir, 'env.yaml'),
      'Name: my-env\nTemplates:\n  - Name: kick\n    Path: ks.cfg\n    ID: kick.tmpl\n',
    )
    const env = await installBootEnvFromFile(client, join(dir, 'env.yaml'))
    expect(env).toMatchObject({ Name: 'my-env', Available: true })
    expect(mock.objects('templates').map((t) => t.ID)).toEqual(['kick.tmpl', 'other.cfg'])
    const from = mock.requests.length
    expect((await installBootEnvFromFile(client, join(dir, 'env.yaml'))).Name).toBe('my-env')
    expect(seen(mock, from)).toEqual([
      'HEAD /api/v3/bootenvs/my-env',
      'GET /api/v3/bootenvs/my-env',
    ])
  })

  it('uses the *.tmpl files of the same directory when there is no templates/ directory', async () => {
    const { client, mock } = await startMock()
    await writeFile(join(dir, 'a.tmpl'), 'A')
    await writeFile(join(dir, 'env.json'), JSON.stringify({ Name: 'json-env' }))
    await installBootEnvFromFile(client, join(dir, 'env.json'))
    expect(mock.objects('templates').map((t) => t.ID)).toEqual(['a.tmpl'])
  })
})
