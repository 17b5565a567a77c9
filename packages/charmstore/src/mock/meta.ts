import { bundleJson, bundleUnitCount, charmMetaJson } from './charm.js'
import { type Ctx, reportedId } from './context.js'
import { fail, flag, json, ok, readJson, StoreError } from './http.js'
import { formatRef, parseIdString, type Ref } from './ids.js'
import { listResources, resourceJson, resourcesFor } from './resources.js'
import type { Entity, StoreChannel } from './state.js'

/** Every meta item name the store knows (what `GET /meta` lists). */
export const META_NAMES = [
  'archive-size',
  'archive-upload-time',
  'bundle-machine-count',
  'bundle-metadata',
  'bundle-unit-count',
  'bundles-containing',
  'can-ingest',
  'can-write',
  'charm-actions',
  'charm-config',
  'charm-metadata',
  'charm-metrics',
  'charm-related',
  'common-info',
  'extra-info',
  'hash',
  'hash256',
  'id',
  'id-name',
  'id-revision',
  'id-series',
  'id-user',
  'manifest',
  'owner',
  'perm',
  'promulgated',
  'promulgated-id',
  'published',
  'resources',
  'revision-info',
  'stats',
  'supported-series',
  'tags',
  'terms',
  'unpromulgated-id',
]

function idJson(ref: Ref) {
  return {
    Id: formatRef(ref),
    ...(ref.user ? { User: ref.user } : {}),
    ...(ref.series ? { Series: ref.series } : {}),
    Name: ref.name,
    Revision: ref.revision,
  }
}

/** The value of one meta item, or undefined when it has no data for this entity. */
function metaItem(ctx: Ctx, e: Entity, ref: Ref, name: string): unknown {
  const [head, ...sub] = name.split('/')
  const subKey = sub.join('/')
  const base = ctx.store.baseOf(e)
  const charm = e.kind === 'charm'
  const reported = ctx.store.preferred(e, ref.user === '')
  const channel = ctx.store.aclChannel(e, ctx.channel)
  switch (head) {
    case 'archive-size':
      return { Size: e.blob.byteLength }
    case 'archive-upload-time':
      return { UploadTime: e.uploadTime.toISOString() }
    case 'bundle-machine-count':
      return charm ? undefined : { Count: Object.keys(e.meta.machines ?? {}).length }
    case 'bundle-unit-count':
      return charm ? undefined : { Count: bundleUnitCount(e.meta) }
    case 'bundle-metadata':
      return charm ? undefined : bundleJson(e.meta)
    case 'bundles-containing':
      return []
    case 'can-ingest':
      return { CanIngest: base.canIngest }
    case 'can-write': {
      let can = false
      try {
        can = !!ctx.access.identity() && ctx.access.check(base, channel, 'Write') !== undefined
      } catch {
        can = false
      }
      return { CanWrite: can }
    }
    case 'charm-actions': {
      if (!charm) return undefined
      const specs: Record<string, unknown> = {}
      for (const [action, spec] of Object.entries(e.actions ?? {}) as Array<[string, any]>) {
        specs[action] = {
          Description: spec?.description ?? '',
          Params: {
            type: 'object',
            title: action,
            description: spec?.description ?? '',
            properties: spec?.params ?? {},
          },
        }
      }
      return { ActionSpecs: specs }
    }
    case 'charm-config': {
      if (!charm) return undefined
      const options: Record<string, unknown> = {}
      for (const [opt, spec] of Object.entries(e.config?.options ?? {}) as Array<[string, any]>) {
        options[opt] = {
          Type: spec?.type ?? 'string',
          Description: spec?.description ?? '',
          Default: spec?.default ?? null,
        }
      }
      return { Options: options }
    }
    case 'charm-metadata':
      return charm ? charmMetaJson(e.meta) : undefined
    case 'charm-metrics': {
      if (!charm || !e.metrics) return undefined
      const metrics: Record<string, unknown> = {}
      for (const [m, spec] of Object.entries(e.metrics.metrics ?? {}) as Array<[string, any]>) {
        metrics[m] = { Type: spec?.type ?? '', Description: spec?.description ?? '' }
      }
      return { Metrics: metrics, Plan: null }
    }
    case 'charm-related':
      return charm ? { Requires: {}, Provides: {} } : undefined
    case 'common-info':
      return subKey ? base.commonInfo[subKey] : base.commonInfo
    case 'extra-info':
      return subKey ? e.extraInfo[subKey] : e.extraInfo
    case 'hash':
      return { Sum: e.sha384 }
    case 'hash256':
      return { Sum: e.sha256 }
    case 'id':
      return idJson(reported)
    case 'id-name':
      return { Name: e.name }
    case 'id-revision':
      return { Revision: reported.revision }
    case 'id-series':
      return { Series: e.series }
    case 'id-user':
      return { User: reported.user }
    case 'manifest':
      return [...e.files].map(([file, bytes]) => ({ Name: file, Size: bytes.byteLength }))
    case 'owner':
      return { User: e.user }
    case 'perm': {
      const acl = base.acls[channel]
      if (subKey === 'read') return acl.Read
      if (subKey === 'write') return acl.Write
      return subKey ? undefined : acl
    }
    case 'promulgated':
      return { Promulgated: base.promulgated }
    case 'promulgated-id':
      return e.promulgatedRevision >= 0
        ? idJson({ user: '', series: e.series, name: e.name, revision: e.promulgatedRevision })
        : undefined
    case 'published': {
      const info = (['stable', 'candidate', 'beta', 'edge'] as StoreChannel[])
        .filter((c) => e.published.has(c))
        .map((c) => ({
          Channel: c,
          Current: [...(base.current.get(c)?.values() ?? [])].includes(e),
        }))
      return { Info: info }
    }
    case 'resources': {
      if (!charm) return undefined
      const list = listResources(ctx, e)
      if (!subKey) return list
      const [resName, revText] = sub
      if (revText !== undefined) {
        const r = resourcesFor(ctx, e, resName!).find((x) => String(x.revision) === revText)
        return r ? resourceJson(e, resName!, r) : undefined
      }
      return list.find((r) => r.Name === resName)
    }
    case 'revision-info': {
      const same = base.entities
        .filter((x) => x.series === e.series)
        .map((x) => ctx.store.preferred(x, ref.user === ''))
        .filter((r) => r.revision >= 0)
        .sort((a, b) => b.revision - a.revision)
      return { Revisions: same.map(formatRef) }
    }
    case 'stats': {
      const all = base.entities.reduce((n, x) => n + x.downloads, 0)
      const counts = (n: number) => ({ Total: n, Day: n, Week: n, Month: n })
      return {
        ArchiveDownloadCount: e.downloads,
        ArchiveDownload: counts(e.downloads),
        ArchiveDownloadAllRevisions: counts(all),
      }
    }
    case 'supported-series':
      return charm ? { SupportedSeries: e.supportedSeries } : undefined
    case 'tags':
      return { Tags: e.meta.tags ?? e.meta.categories ?? [] }
    case 'terms':
      return charm ? (e.meta.terms ?? []) : undefined
    case 'unpromulgated-id':
      return idJson({ user: e.user, series: e.series, name: e.name, revision: e.revision })
    default:
      return fail('', `unknown metadata name ${JSON.stringify(name)}`)
  }
}

function anyResult(ctx: Ctx, e: Entity, ref: Ref): Record<string, unknown> {
  const out: Record<string, unknown> = { Id: reportedId(ctx, e, ref) }
  const includes = ctx.params.getAll('include')
  if (includes.length) {
    const meta: Record<string, unknown> = {}
    for (const name of includes) {
      const value = metaItem(ctx, e, ref, name)
      if (value !== undefined) meta[name] = value
    }
    out.Meta = meta
  }
  return out
}

/** `GET /<id>/meta[/<name>|/any]` */
export function getEntityMeta(ctx: Ctx, ref: Ref, e: Entity, rest: string[]): Response {
  if (rest.length === 0) return json(META_NAMES)
  const name = rest.join('/')
  if (name === 'any') return json(anyResult(ctx, e, ref))
  const value = metaItem(ctx, e, ref, name)
  if (value === undefined)
    fail('metadata not found', `metadata not found for ${formatRef(ref)}: ${name}`)
  return json(value)
}

/** `GET /meta`, `GET /meta/<name>?id=…` and `GET /meta/any?id=…` (keys are the ids as sent). */
export function getBulkMeta(ctx: Ctx, rest: string[], read: (e: Entity) => void): Response {
  if (rest.length === 0) return json(META_NAMES)
  const ids = ctx.params.getAll('id')
  if (ids.length === 0) fail('bad request', 'no ids specified in meta request')
  const ignoreAuth = flag(ctx.params, 'ignore-auth')
  const name = rest.join('/')
  const out: Record<string, unknown> = {}
  for (const id of ids) {
    const ref = parseIdString(id)
    if (!ref) fail('bad request', `bad id ${JSON.stringify(id)}`)
    let e: Entity
    try {
      e = ctx.store.resolve(ref, ctx.channel)
      read(e)
    } catch (error) {
      if (
        error instanceof StoreError &&
        (error.code === 'not found' || (ignoreAuth && error.status === 401))
      )
        continue
      throw error
    }
    const value = name === 'any' ? anyResult(ctx, e, ref) : metaItem(ctx, e, ref, name)
    if (value !== undefined) out[id] = value
  }
  return json(out)
}

function badKey(key: string): boolean {
  return key === '' || /[./$]/.test(key)
}

function updateMap(target: Record<string, unknown>, value: unknown, what: string): void {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    fail('bad request', `${what} must be an object`)
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (badKey(key)) fail('bad request', `bad key for ${what}`)
    if (v === null) delete target[key]
    else target[key] = v
  }
}

function putItem(ctx: Ctx, e: Entity, name: string, value: unknown): void {
  const [head, ...sub] = name.split('/')
  const key = sub.join('/')
  const base = ctx.store.baseOf(e)
  const target =
    head === 'extra-info' ? e.extraInfo : head === 'common-info' ? base.commonInfo : undefined
  if (target) {
    if (!key) updateMap(target, value, head!)
    else if (badKey(key)) fail('bad request', `bad key for ${head}`)
    else if (value === null) delete target[key]
    else target[key] = value
    return
  }
  if (head === 'perm') {
    const acl = base.acls[ctx.store.aclChannel(e, ctx.channel)]
    const list = (v: unknown) =>
      Array.isArray(v) && v.every((x) => typeof x === 'string')
        ? v
        : fail('bad request', 'bad permission list')
    if (key === 'read') acl.Read = list(value)
    else if (key === 'write') acl.Write = list(value)
    else if (!key) {
      acl.Read = list((value as any)?.Read)
      acl.Write = list((value as any)?.Write)
    } else fail('not found', `unknown metadata name ${name}`)
    return
  }
  fail('forbidden', `metadata ${JSON.stringify(name)} cannot be updated`)
}

/** `PUT /<id>/meta/<name>` and `PUT /<id>/meta/any` with `{"Meta": {...}}`. */
export async function putEntityMeta(ctx: Ctx, e: Entity, rest: string[]): Promise<Response> {
  if (ctx.request.headers.get('content-type') !== 'application/json') {
    fail('bad request', 'unexpected Content-Type; expected "application/json"')
  }
  const body = await readJson(ctx.request)
  const name = rest.join('/')
  if (name !== 'any') {
    putItem(ctx, e, name, body)
    return ok()
  }
  const errors: Record<string, unknown> = {}
  for (const [item, value] of Object.entries((body?.Meta ?? {}) as Record<string, unknown>)) {
    try {
      putItem(ctx, e, item, value)
    } catch (error) {
      if (!(error instanceof StoreError)) throw error
      errors[item] = { Message: error.message, Code: error.code }
    }
  }
  const count = Object.keys(errors).length
  if (count) fail('multiple errors', `multiple (${count}) errors`, errors)
  return ok()
}
