import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestServer } from '@wharf/tooling/test-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, startMock, wharf } from './helpers.js'

const haveScript = existsSync('/usr/bin/script')
if (!haveScript)
  console.warn('SKIPPING the pseudo-terminal test: util-linux `script` is not installed')

describe('progress, debug output and cancellation', () => {
  let mock: Awaited<ReturnType<typeof startMock>>
  let lib: string[]
  let dir: string
  beforeAll(async () => {
    mock = await startMock('library')
    lib = ['--library', mock.urls.library!]
    dir = await mkdtemp(join(tmpdir(), 'wharf-cli-tty-'))
    await writeFile(join(dir, 'big.sif'), Buffer.alloc(24 * 1024 * 1024, 9))
    const push = await wharf([
      '-q',
      'library',
      'push',
      join(dir, 'big.sif'),
      'library://tty/tools/big:1',
      ...lib,
    ])
    expect(push.code, push.stderr).toBe(0)
  })
  afterAll(async () => {
    mock?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it.skipIf(!haveScript)('draws a progress bar on a terminal', async () => {
    const out = join(dir, 'tty.sif')
    const command = [
      process.execPath,
      BIN,
      'library',
      'pull',
      'library://tty/tools/big:1',
      out,
      ...lib,
    ]
      .map((a) => `'${a}'`)
      .join(' ')
    const screen = await new Promise<string>((resolve, reject) =>
      execFile('script', ['-qec', command, '/dev/null'], { timeout: 60_000 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    )
    expect(screen).toContain('\r\u001b[Kpull library://tty/tools/big:1 [')
    expect(screen).toMatch(/pull library:\/\/tty\/tools\/big:1 \[=*\s*\] \d+%/)
    expect(screen).toContain('100%')
  })

  it('prints plain progress lines when stderr is not a terminal, nothing with -q', async () => {
    const plain = await wharf([
      'library',
      'pull',
      'library://tty/tools/big:1',
      join(dir, 'plain.sif'),
      ...lib,
    ])
    expect(plain.code, plain.stderr).toBe(0)
    expect(plain.stderr).not.toContain('\r')
    expect(plain.stderr).toMatch(/pull library:\/\/tty\/tools\/big:1: .* done/)
    const quiet = await wharf([
      '-q',
      'library',
      'pull',
      'library://tty/tools/big:1',
      join(dir, 'quiet.sif'),
      ...lib,
    ])
    expect(quiet.stderr).toBe('')
    expect(quiet.stdout).toBe('')
  })

  it('logs requests with --debug and redacts the token', async () => {
    const r = await wharf(['--debug', 'library', 'version', ...lib], {
      env: { WHARF_LIBRARY_TOKEN: 'super-secret-token-42' },
    })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/debug: → GET http:\/\/127\.0\.0\.1:\d+\/version/)
    expect(r.stderr).not.toContain('super-secret-token-42')
  })

  it('cancels a transfer on Ctrl-C and leaves no partial file', async () => {
    // A registry that sends half a blob and then goes quiet, so the download is surely running.
    const digest = `sha256:${'ab'.repeat(32)}`
    const stalling = await startTestServer((req, res) => {
      if (req.method === 'HEAD') return res.writeHead(200, { 'content-length': '1048576' }).end()
      res.writeHead(200, { 'content-length': '1048576' })
      res.write(Buffer.alloc(512 * 1024))
    })
    const out = join(dir, 'cancelled.bin')
    const child = spawn(
      process.execPath,
      [BIN, 'oci', 'blob', 'get', `${new URL(stalling.url).host}/stall/blob@${digest}`, out],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    let err = ''
    child.stderr.on('data', (d) => (err += d))
    const deadline = Date.now() + 20_000
    while (!stalling.requests.some((r) => r.method === 'GET') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20))
    }
    await new Promise((r) => setTimeout(r, 200))
    child.kill('SIGINT')
    const code = await closed
    await stalling.close()
    expect(code, err).toBe(130)
    expect(err).toContain('cancelled')
    expect(existsSync(out)).toBe(false)
    const { readdirSync } = await import('node:fs')
    expect(readdirSync(dir).filter((f) => f.includes('cancelled'))).toEqual([])
  })
})
