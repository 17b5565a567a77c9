import { unzipSync } from 'fflate'
import { fail } from './http.js'
import { parseYaml } from './yaml.js'

/** What the store reads out of an uploaded archive. */
export interface ArchiveContents {
  files: Map<string, Uint8Array>
  meta: Record<string, any>
  config?: Record<string, any>
  actions?: Record<string, any>
  metrics?: Record<string, any>
}

const MAX_ENTRIES = 10_000

function yamlFile(files: Map<string, Uint8Array>, name: string): Record<string, any> | undefined {
  const bytes = files.get(name)
  if (!bytes) return undefined
  try {
    const value = parseYaml(new TextDecoder().decode(bytes))
    return (value ?? {}) as Record<string, any>
  } catch (error) {
    return fail('invalid charm or bundle', `cannot read ${name}: ${(error as Error).message}`)
  }
}

/** Unzips an archive and parses its charm or bundle files; bad archives are `invalid charm or bundle`. */
export function readArchive(blob: Uint8Array, kind: 'charm' | 'bundle'): ArchiveContents {
  let entries: Record<string, Uint8Array>
  let count = 0
  try {
    entries = unzipSync(blob, { filter: () => ++count <= MAX_ENTRIES })
  } catch (error) {
    return fail('invalid charm or bundle', `cannot read archive: ${(error as Error).message}`)
  }
  if (count > MAX_ENTRIES) fail('invalid charm or bundle', 'too many files in archive')
  const files = new Map<string, Uint8Array>()
  for (const [name, data] of Object.entries(entries)) {
    if (!name.endsWith('/')) files.set(name.replace(/^\.\//, ''), data)
  }
  if (kind === 'bundle') {
    const meta = yamlFile(files, 'bundle.yaml')
    if (!meta) fail('invalid charm or bundle', 'archive file "bundle.yaml" not found')
    if (!files.has('README.md'))
      fail('invalid charm or bundle', 'archive file "README.md" not found')
    return { files, meta }
  }
  const meta = yamlFile(files, 'metadata.yaml')
  if (!meta) return fail('invalid charm or bundle', 'archive file "metadata.yaml" not found')
  if (typeof meta.name !== 'string') fail('invalid charm or bundle', 'metadata.yaml has no name')
  const out: ArchiveContents = { files, meta }
  const config = yamlFile(files, 'config.yaml')
  const actions = yamlFile(files, 'actions.yaml')
  const metrics = yamlFile(files, 'metrics.yaml')
  if (config) out.config = config
  if (actions) out.actions = actions
  if (metrics) out.metrics = metrics
  return out
}

const ROLES = { provides: 'provider', requires: 'requirer', peers: 'peer' } as const

function relations(section: unknown, role: string): Record<string, unknown> | undefined {
  if (!section || typeof section !== 'object') return undefined
  const out: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(section as Record<string, any>)) {
    const s = typeof spec === 'string' ? { interface: spec } : (spec ?? {})
    out[name] = {
      Name: name,
      Role: role,
      Interface: s.interface ?? '',
      Optional: s.optional === true,
      Limit: s.limit ?? 0,
      Scope: s.scope ?? 'global',
    }
  }
  return out
}

/** Resource declarations: name → `{Name, Type, Path, Description}` (type 1 file, 2 oci-image). */
export function declaredResources(
  meta: Record<string, any>,
): Record<string, { Name: string; Type: number; Path: string; Description: string }> {
  const out: Record<string, { Name: string; Type: number; Path: string; Description: string }> = {}
  for (const [name, spec] of Object.entries((meta.resources ?? {}) as Record<string, any>)) {
    out[name] = {
      Name: name,
      Type: spec?.type === 'oci-image' ? 2 : 1,
      Path: spec?.filename ?? '',
      Description: spec?.description ?? '',
    }
  }
  return out
}

/** Charm metadata in the store's JSON shape (`SupportedSeries` for `series`, empty items omitted). */
export function charmMetaJson(meta: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Name: meta.name,
    Summary: meta.summary ?? '',
    Description: meta.description ?? '',
    Subordinate: meta.subordinate === true,
  }
  for (const [key, role] of Object.entries(ROLES)) {
    const r = relations(meta[key], role)
    if (r) out[key[0]!.toUpperCase() + key.slice(1)] = r
  }
  if (Array.isArray(meta.categories)) out.Categories = meta.categories
  if (Array.isArray(meta.tags)) out.Tags = meta.tags
  if (Array.isArray(meta.series)) out.SupportedSeries = meta.series
  if (meta.resources) out.Resources = declaredResources(meta)
  if (Array.isArray(meta.terms)) out.Terms = meta.terms
  if (meta['min-juju-version']) out['min-juju-version'] = meta['min-juju-version']
  return out
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/** Bundle data in the store's JSON shape (lower-case `applications`). */
export function bundleJson(meta: Record<string, any>): Record<string, unknown> {
  const apps: Record<string, unknown> = {}
  for (const [name, app] of Object.entries(
    (meta.applications ?? meta.services ?? {}) as Record<string, any>,
  )) {
    const a: Record<string, unknown> = { Charm: app?.charm ?? '' }
    if (app?.num_units !== undefined) a.NumUnits = app.num_units
    for (const k of ['series', 'to', 'expose', 'options', 'annotations', 'constraints'])
      if (app?.[k] !== undefined) a[capital(k)] = app[k]
    apps[name] = a
  }
  const out: Record<string, unknown> = { applications: apps }
  if (meta.machines) {
    const machines: Record<string, unknown> = {}
    for (const [id, m] of Object.entries(meta.machines as Record<string, any>)) {
      machines[id] = {
        Constraints: m?.constraints ?? '',
        Annotations: m?.annotations ?? {},
        Series: m?.series ?? '',
      }
    }
    out.Machines = machines
  }
  for (const k of ['series', 'relations', 'tags', 'description'])
    if (meta[k] !== undefined) out[capital(k)] = meta[k]
  return out
}

/** Number of units a bundle deploys. */
export function bundleUnitCount(meta: Record<string, any>): number {
  return Object.values((meta.applications ?? meta.services ?? {}) as Record<string, any>).reduce(
    (n, app) => n + (Number(app?.num_units) || 0),
    0,
  )
}
