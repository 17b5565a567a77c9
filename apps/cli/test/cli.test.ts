import { readFileSync } from 'node:fs'
import { freePort } from '@wharf/tooling/registry'
import { describe, expect, it } from 'vitest'
import { startMock, wharf } from './helpers.js'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

describe('wharf', () => {
  it('prints help with every option and exits 0', async () => {
    const r = await wharf(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: wharf')
    for (const flag of [
      '--json',
      '--quiet',
      '--debug',
      '--plain-http',
      '--insecure',
      '--ca-file',
    ]) {
      expect(r.stdout).toContain(flag)
    }
  })

  it('serves every mock on the ports --port asks for, two per mock', async () => {
    const port = await freePort()
    const mock = await startMock('library', 'charm', '--port', String(port))
    try {
      expect(mock.urls).toEqual({
        library: `http://127.0.0.1:${port}`,
        charm: `http://127.0.0.1:${port + 2}`,
      })
      const version = await wharf(['--json', 'library', 'version', '--library', mock.urls.library!])
      expect(version.code, version.stderr).toBe(0)
      const taken = await wharf(['mock', 'oci', '--port', String(port)])
      expect(taken.code).not.toBe(0)
      expect(taken.stderr).toMatch(/address already in use 127\.0\.0\.1:\d+/)
    } finally {
      mock.stop()
    }
  })

  it('prints its version', async () => {
    const r = await wharf(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(pkg.version)
  })

  it('exits 2 naming an unknown flag, command or missing argument', async () => {
    const flag = await wharf(['--bogus'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain("unknown option '--bogus'")
    const command = await wharf(['frobnicate'])
    expect(command.code).toBe(2)
    expect(command.stderr).toContain("unknown command 'frobnicate'")
    const missing = await wharf(['oci', 'tags'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("missing required argument 'repository'")
  })

  it('shows examples in every command help', async () => {
    const r = await wharf(['oci', 'copy', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Examples:')
    expect(r.stdout).toContain('$ wharf oci copy')
  })
})
