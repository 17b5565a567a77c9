import { writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { selfSignedCertificate } from '@wharf/tooling/tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMock, wharf } from './helpers.js'

describe('TLS options against a library behind a self-signed certificate', () => {
  let mock: Awaited<ReturnType<typeof startMock>>
  let tls: Server
  let url: string
  const caFile = join(tmpdir(), `wharf-cli-ca-${process.pid}.pem`)
  beforeAll(async () => {
    mock = await startMock('library')
    const { key, certificate } = selfSignedCertificate({ altNames: 'IP:127.0.0.1,DNS:localhost' })
    writeFileSync(caFile, certificate)
    // TLS in front of the mock: every request is passed through to its plain-HTTP port.
    tls = createServer({ key, cert: certificate }, (req, res) => {
      const upstream = request(
        new URL(req.url ?? '/', mock.urls.library),
        { method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
        },
      )
      req.pipe(upstream)
    })
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
    url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`
  })
  afterAll(() => {
    tls?.closeAllConnections()
    tls?.close()
    mock?.stop()
  })

  it('refuses the certificate by default', async () => {
    const r = await wharf(['library', 'version', '--library', url])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/certificate/i)
  })

  it('trusts it with --ca-file, and skips verification with --insecure', async () => {
    const withCa = await wharf([
      '--ca-file',
      caFile,
      '--json',
      'library',
      'version',
      '--library',
      url,
    ])
    expect(withCa.code, withCa.stderr).toBe(0)
    expect(JSON.parse(withCa.stdout).apiVersion).toBeTruthy()
    const insecure = await wharf(['--insecure', 'library', 'version', '--library', url])
    expect(insecure.code, insecure.stderr).toBe(0)
  })
})
