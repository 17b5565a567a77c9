import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunningRegistry, registryBinary, startRegistry } from '@wharf/tooling/registry'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMock, wharf } from './helpers.js'
import { writeImageLayout } from './layout.js'

function suite(name: string, target: () => string) {
  describe(`wharf oci against ${name}`, () => {
    const image = writeImageLayout('1.0')
    const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`

    it('pings', async () => {
      const r = await wharf(['oci', 'ping', target()])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toContain('OCI registry')
    })

    it('pushes a layout, lists tags, shows the exact manifest', async () => {
      const push = await wharf(['--json', 'oci', 'push', image.dir, `${target()}/cli/app:1.0`])
      expect(push.code, push.stderr).toBe(0)
      expect(JSON.parse(push.stdout).digest).toBe(image.manifestDigest)
      const tags = await wharf(['--json', 'oci', 'tags', `${target()}/cli/app`])
      expect(JSON.parse(tags.stdout)).toContain('1.0')
      const raw = await wharf(['oci', 'manifest', '--raw', `${target()}/cli/app:1.0`])
      expect(raw.stdout).toBe(image.manifest.toString())
      const shown = await wharf(['oci', 'manifest', `${target()}/cli/app:1.0`])
      expect(shown.stdout).toContain(`Digest:     ${image.manifestDigest}`)
    })

    it('lists referrers (none yet) of a tagged manifest', async () => {
      const r = await wharf(['--json', 'oci', 'referrers', `${target()}/cli/app:1.0`])
      expect(r.code, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout)).toEqual([])
      const missing = await wharf(['oci', 'referrers', `${target()}/cli/app:nope`])
      expect(missing.code).toBe(3)
    })

    it('pulls into a layout with every blob verified', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'wharf-cli-pull-'))
      const r = await wharf(['oci', 'pull', `${target()}/cli/app:1.0`, dir])
      expect(r.code, r.stderr).toBe(0)
      const layer = readFileSync(join(dir, 'blobs', 'sha256', sha(image.layer).slice(7)))
      expect(layer.equals(image.layer)).toBe(true)
      const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))
      expect(index.manifests[0].digest).toBe(image.manifestDigest)
    })

    it('copies to another repository and lists both in the catalog', async () => {
      const r = await wharf([
        'oci',
        'copy',
        `${target()}/cli/app:1.0`,
        `${target()}/cli/mirror:1.0`,
      ])
      expect(r.code, r.stderr).toBe(0)
      const tags = await wharf(['--json', 'oci', 'tags', `${target()}/cli/mirror`])
      expect(JSON.parse(tags.stdout)).toEqual(['1.0'])
      const catalog = await wharf(['--json', 'oci', 'catalog', target()])
      expect(JSON.parse(catalog.stdout)).toEqual(expect.arrayContaining(['cli/app', 'cli/mirror']))
    })

    it('puts, gets and removes a blob', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'wharf-cli-blob-')), 'data.bin')
      const bytes = Buffer.from('blob bytes for the cli test')
      writeFileSync(file, bytes)
      const put = await wharf(['oci', 'blob', 'put', `${target()}/cli/blobs`, file])
      expect(put.code, put.stderr).toBe(0)
      expect(put.stdout.trim()).toBe(sha(bytes))
      const out = `${file}.out`
      const get = await wharf(['oci', 'blob', 'get', `${target()}/cli/blobs@${sha(bytes)}`, out])
      expect(get.code, get.stderr).toBe(0)
      expect(readFileSync(out).equals(bytes)).toBe(true)
      const toStdout = await wharf(['oci', 'blob', 'get', `${target()}/cli/blobs@${sha(bytes)}`])
      expect(toStdout.stdout).toBe(bytes.toString())
      expect((await wharf(['oci', 'blob', 'rm', `${target()}/cli/blobs@${sha(bytes)}`])).code).toBe(
        0,
      )
      const gone = await wharf([
        'oci',
        'blob',
        'get',
        `${target()}/cli/blobs@${sha(bytes)}`,
        `${file}.again`,
      ])
      expect(gone.code).toBe(3)
      expect(existsSync(`${file}.again`)).toBe(false)
    })

    it('puts more tags on a manifest, refusing a bad tag with exit 2', async () => {
      const tagged = await wharf([
        '--json',
        'oci',
        'tag',
        `${target()}/cli/mirror:1.0`,
        '1',
        'stable',
      ])
      expect(tagged.code, tagged.stderr).toBe(0)
      expect(JSON.parse(tagged.stdout)).toEqual({
        digest: image.manifestDigest,
        tags: ['1', 'stable'],
      })
      const listed = await wharf(['--json', 'oci', 'tags', `${target()}/cli/mirror`])
      expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining(['1', '1.0', 'stable']))
      const bad = await wharf(['oci', 'tag', `${target()}/cli/mirror:1.0`, 'bad/tag'])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain('bad/tag is not a valid tag')
    })

    it('deletes a manifest by tag, then reports it missing with exit 3', async () => {
      const rm = await wharf(['oci', 'rm', `${target()}/cli/mirror:1.0`])
      expect(rm.code, rm.stderr).toBe(0)
      const missing = await wharf([
        'oci',
        'manifest',
        `${target()}/cli/mirror@${image.manifestDigest}`,
      ])
      expect(missing.code).toBe(3)
      expect(missing.stderr).toMatch(/MANIFEST_UNKNOWN|BLOB_UNKNOWN|not found|unknown/i)
    })

    it('rejects bad input with exit 2 before any request', async () => {
      const bad = await wharf(['oci', 'manifest', `${target()}/Upper/Case:1`])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain('lower-case')
      const missingArg = await wharf(['oci', 'pull', `${target()}/cli/app:1.0`])
      expect(missingArg.code).toBe(2)
      expect(missingArg.stderr).toContain("missing required argument 'dir'")
      const noRegistry = await wharf(['oci', 'tags', 'app'])
      expect(noRegistry.code).toBe(2)
    })
  })
}

describe('against `wharf mock oci`', () => {
  let mock: Awaited<ReturnType<typeof startMock>>
  beforeAll(async () => {
    mock = await startMock('oci')
  })
  afterAll(() => mock?.stop())
  suite('the mock registry', () => new URL(mock.urls.oci!).host)
})

const haveRegistry = Boolean(registryBinary())
if (!haveRegistry)
  console.warn(
    'SKIPPING the CLI real-registry suite: docker-registry is not installed (CI installs it)',
  )
describe.skipIf(!haveRegistry)('against the real registry', () => {
  let open: RunningRegistry
  let basic: RunningRegistry
  beforeAll(async () => {
    ;[open, basic] = await Promise.all([startRegistry(), startRegistry({ auth: 'basic' })])
  })
  afterAll(async () => {
    await Promise.all([open?.close(), basic?.close()])
  })
  suite('CNCF distribution', () => open.host)

  it('exits 4 on bad credentials and works with good ones, never echoing the password', async () => {
    const user = basic.users[0]!
    const bad = await wharf(
      ['oci', 'tags', '-u', user.username, '--password-stdin', `${basic.host}/x`],
      { input: 'wrong-password-123\n' },
    )
    expect(bad.code).toBe(4)
    expect(bad.stderr + bad.stdout).not.toContain('wrong-password-123')
    const image = writeImageLayout('2.0')
    const good = await wharf(['oci', 'push', image.dir, `${basic.host}/auth/app:2.0`], {
      env: { WHARF_REGISTRY_USERNAME: user.username, WHARF_REGISTRY_PASSWORD: user.password },
    })
    expect(good.code, good.stderr).toBe(0)
  })
})
