import { declaredResources } from './charm.js'
import type { Ctx } from './context.js'
import { fail, json, ok, readJson } from './http.js'
import { parseIdString } from './ids.js'
import { type Entity, STORE_CHANNELS, type StoreChannel } from './state.js'

function requireJson(ctx: Ctx): void {
  if (ctx.request.headers.get('content-type') !== 'application/json') {
    fail('bad request', 'unexpected Content-Type; expected "application/json"')
  }
}

/** `PUT /<id>/publish` with `{"Channels": [...], "Resources": {...}}` */
export async function publish(ctx: Ctx, e: Entity): Promise<Response> {
  const body = await readJson(ctx.request)
  const channels = body?.Channels
  if (!Array.isArray(channels) || channels.length === 0) fail('bad request', 'no channels provided')
  for (const c of channels) {
    if (!STORE_CHANNELS.includes(c) || c === 'unpublished')
      fail('bad request', `cannot publish to ${JSON.stringify(c)}`)
  }
  const base = ctx.store.baseOf(e)
  for (const c of channels as StoreChannel[]) ctx.access.check(base, c, 'Write')
  const resources = (body?.Resources ?? {}) as Record<string, number>
  const declared = Object.keys(declaredResources(e.meta))
  const missing = declared.filter((n) => !(n in resources))
  if (missing.length)
    fail('bad request', `resources are missing from publish request: ${missing.join(', ')}`)
  for (const [name, rev] of Object.entries(resources)) {
    if (
      !declared.includes(name) ||
      !(base.resources.get(name) ?? []).some((r) => r.revision === rev)
    ) {
      fail('bad request', `resource "${name}/${rev}" not found`)
    }
  }
  for (const c of channels as StoreChannel[]) {
    e.published.add(c)
    const current = base.current.get(c) ?? new Map<string, Entity>()
    for (const series of e.supportedSeries.length ? e.supportedSeries : [e.series])
      current.set(series, e)
    if (e.series === '') current.set('', e)
    base.current.set(c, current)
    base.publishedResources.set(c, { ...resources })
  }
  return ok()
}

/** `GET /whoami` */
export function whoami(ctx: Ctx): Response {
  const who = ctx.access.require()
  if (who.admin) fail('forbidden', 'admin credentials used')
  return json({ User: who.user, Groups: who.groups })
}

/** `GET /delegatable-macaroon`: a macaroon the caller may hand on (first-party caveats only). */
export function delegatableMacaroon(ctx: Ctx): Response {
  const who = ctx.access.require()
  if (who.admin) fail('forbidden', 'delegatable macaroon is not obtainable using admin credentials')
  return json(ctx.bakery.delegatable(who.user))
}

/** `POST /log` (admin only) and `GET /log` */
export async function log(ctx: Ctx): Promise<Response> {
  const who = ctx.access.require()
  if (!who.admin) fail('unauthorized', 'admin credentials required')
  if (ctx.request.method === 'GET') {
    const limit = Number(ctx.params.get('limit') ?? 1000)
    return json([...ctx.logs].reverse().slice(0, limit))
  }
  requireJson(ctx)
  const entries = await readJson(ctx.request)
  if (!Array.isArray(entries)) fail('bad request', 'expected an array of log entries')
  for (const entry of entries) {
    if (!['info', 'warning', 'error'].includes(entry?.Level))
      fail('bad request', `invalid log level ${JSON.stringify(entry?.Level)}`)
    if (!['ingestion', 'legacyStatistics'].includes(entry?.Type))
      fail('bad request', `invalid log type ${JSON.stringify(entry?.Type)}`)
  }
  for (const entry of entries)
    ctx.logs.push({
      Data: entry.Data,
      Level: entry.Level,
      Type: entry.Type,
      URLs: entry.URLs ?? [],
      Time: new Date().toISOString(),
    })
  return ok()
}

/** `PUT /stats/update` with `{"Entries": [...]}` */
export async function statsUpdate(ctx: Ctx): Promise<Response> {
  const who = ctx.access.require()
  if (!who.admin && who.user !== 'statsupdate@cs') fail('unauthorized', 'access denied')
  requireJson(ctx)
  const body = await readJson(ctx.request)
  if (!Array.isArray(body?.Entries)) fail('bad request', 'no entries')
  for (const entry of body.Entries) {
    const ref = parseIdString(String(entry?.CharmReference ?? ''))
    if (!ref) fail('', `invalid charm reference ${JSON.stringify(entry?.CharmReference)}`)
    const e = ctx.store.resolve(ref, 'unpublished')
    if (entry.Type === 'download') e.downloads++
    ctx.stats.updates.push(entry)
  }
  return ok()
}
