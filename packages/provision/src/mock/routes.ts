import type { Auth } from './auth.js'
import { fileRoute, isoRoute, listFiles } from './blobs.js'
import { listCollection, objectRoute, present } from './collections.js'
import { contentRoute } from './contents.js'
import { appendJobLog, createJob, getJobLog, jobActions } from './jobs.js'
import { metaRoute } from './meta.js'
import { PARAM_OWNERS, paramsRoute } from './params.js'
import { empty, json, MockError, readBody, readJson } from './reply.js'
import type { Obj, Store } from './store.js'
import { indexesOf, MODEL_SPECS, specOf } from './types.js'

/** Server-wide data the routes need besides the store. */
export interface RouteContext {
  store: Store
  auth: Auth
  info: () => Obj
  logs: Obj[]
  log(level: string, message: string): void
  bodyLimit: number
  blobLimit: number
}

const PREF_KEYS = new Set([
  'baseTokenSecret',
  'systemGrantorSecret',
  'defaultBootEnv',
  'unknownBootEnv',
  'defaultStage',
  'defaultWorkflow',
  'knownTokenTimeout',
  'unknownTokenTimeout',
  'logLevel',
  'debugBootEnv',
  'debugDhcp',
  'debugRenderer',
  'debugFrontend',
  'debugPlugins',
])

function allowOnly(method: string, ...allowed: string[]): void {
  if (!allowed.includes(method)) throw new MockError(405, method, 'Method not allowed')
}

function indexesRoute(store: Store, seg: string[]): Response {
  const table = (prefix: string) => {
    const spec = specOf(prefix)
    const indexes = spec && indexesOf(spec)
    if (!indexes) throw new MockError(404, 'GET', `index get: not found: ${prefix}`)
    return Object.fromEntries(
      Object.entries(indexes).map(([n, i]) => [n, { Type: i.type, Unique: !!i.unique }]),
    )
  }
  if (seg.length === 1) {
    return json(
      Object.fromEntries(
        MODEL_SPECS.filter((s) => s.indexes).map((s) => [s.prefix, table(s.prefix)]),
      ),
    )
  }
  const all = table(seg[1]!)
  if (seg.length === 2) return json(all)
  const name = seg.slice(2).join('/')
  const one = all[name]
  if (!one) {
    if (seg[1] === 'machines' && store.collection('params').has(name)) {
      return json({ Type: 'parameter', Unique: false })
    }
    throw new MockError(404, 'GET', `index get: not found: ${name}`)
  }
  // The real server writes a second JSON document after a static index (§7.6 quirk).
  const trailer = { Model: 'indexes', Key: name, Type: 'GET', Messages: ['Not Found'], Code: 404 }
  return new Response(JSON.stringify(one) + JSON.stringify(trailer), {
    headers: { 'content-type': 'application/json; charset=utf-8' },
  })
}

function prefsRoute(ctx: RouteContext, method: string, body: unknown): Response {
  const { store } = ctx
  if (method === 'GET') return json(store.prefs)
  allowOnly(method, 'POST')
  if (typeof body !== 'object' || body === null)
    throw new MockError(400, 'POST', 'body must be a map')
  const changes = Object.entries(body as Obj)
  for (const [k, v] of changes) {
    if (!PREF_KEYS.has(k))
      throw new MockError(400, 'POST', `Unknown Preference ${k}`, 'preferences')
    if (
      (k === 'defaultBootEnv' || k === 'unknownBootEnv') &&
      !store.collection('bootenvs').has(String(v))
    ) {
      throw new MockError(400, 'POST', `${k}: Bootenv ${v} does not exist`, 'preferences')
    }
    if (k === 'defaultStage' && !store.collection('stages').has(String(v))) {
      throw new MockError(400, 'POST', `defaultStage: Stage ${v} does not exist`, 'preferences')
    }
  }
  for (const [k, v] of changes) {
    store.prefs[k] = String(v)
    store.publish('preferences', 'save', k, { Name: k, Val: String(v), Meta: {} })
  }
  return json(store.prefs, 201)
}

async function usersRoute(
  ctx: RouteContext,
  request: Request,
  seg: string[],
  url: URL,
): Promise<Response> {
  const name = seg[1]!
  const { store, auth } = ctx
  const user = store.find('users', name)
  if (!user) throw new MockError(404, request.method, 'Not Found', 'users', name)
  if (seg[2] === 'token') {
    allowOnly(request.method, 'GET')
    const token = auth.issue(user[0], auth.ttl(url.searchParams.get('ttl'), name))
    return json({ Token: token, Info: ctx.info() })
  }
  allowOnly(request.method, 'PUT')
  const body = (await readJson(request, ctx.bodyLimit)) as Obj | undefined
  if (typeof body?.Password !== 'string')
    throw new MockError(400, 'PUT', 'Password required', 'users', name)
  auth.users.set(user[0], { password: body.Password })
  auth.revoke(user[0])
  const saved = store.save('users', user[0], { ...user[1], Secret: store.sources.secret() })
  return json(present('users', saved))
}

async function jobsRoute(
  ctx: RouteContext,
  request: Request,
  seg: string[],
  url: URL,
): Promise<Response | undefined> {
  const { store } = ctx
  const method = request.method
  if (seg.length === 1 && method === 'POST')
    return createJob(store, await readJson(request, ctx.bodyLimit))
  if (seg.length === 3 && (seg[2] === 'log' || seg[2] === 'actions')) {
    const hit = store.find('jobs', seg[1]!)
    if (!hit)
      throw new MockError(404, 'ValidationError', `Job ${seg[1]} does not exist`, 'jobs', seg[1])
    if (seg[2] === 'actions') {
      allowOnly(method, 'GET')
      return jobActions(store, hit[1], url.searchParams.get('os'))
    }
    if (method === 'GET') return getJobLog(store, hit[0])
    allowOnly(method, 'PUT')
    const data = await readBody(request, ctx.blobLimit, 'job log')
    return appendJobLog(store, hit[0], request.headers.get('content-type'), data)
  }
  if (seg.length === 2 && method === 'DELETE') {
    const response = objectRoute(store, 'jobs', seg[1]!, method, url.searchParams, undefined)
    for (const key of store.jobLogs.keys())
      if (!store.collection('jobs').has(key)) store.jobLogs.delete(key)
    return response
  }
  return undefined
}

async function pluginProviders(
  ctx: RouteContext,
  request: Request,
  seg: string[],
): Promise<Response | undefined> {
  const { store } = ctx
  if (seg.length === 2 && request.method === 'POST') {
    const data = await readBody(request, ctx.blobLimit, 'plugin upload')
    const name = seg[1]!
    store.collection('plugin_providers').set(name, {
      Name: name,
      Version: 'v0.0.0',
      PluginVersion: 2,
      HasPublish: false,
      AvailableActions: [],
      RequiredParams: [],
      OptionalParams: [],
      Documentation: '',
      Content: '',
      Meta: {},
    })
    return json({ path: name, size: data.byteLength }, 201)
  }
  if (seg.length === 2 && request.method === 'DELETE') {
    if (!store.collection('plugin_providers').delete(seg[1]!)) {
      throw new MockError(404, 'DELETE', 'Not Found', 'plugin_providers', seg[1])
    }
    return empty(204)
  }
  return undefined
}

/** Routes one authenticated `/api/v3/...` request. */
export async function route(
  ctx: RouteContext,
  request: Request,
  seg: string[],
  url: URL,
): Promise<Response> {
  const { store } = ctx
  const method = request.method
  const head = seg[0] ?? ''
  switch (head) {
    case 'info':
      allowOnly(method, 'GET')
      return json(ctx.info())
    case 'logs':
      allowOnly(method, 'GET')
      return json(ctx.logs)
    case 'prefs':
      return prefsRoute(
        ctx,
        method,
        method === 'POST' ? await readJson(request, ctx.bodyLimit) : undefined,
      )
    case 'events': {
      allowOnly(method, 'POST')
      const event = (await readJson(request, ctx.bodyLimit)) as Obj | undefined
      if (typeof event !== 'object' || event === null)
        throw new MockError(400, 'POST', 'body must be an Event')
      store.hub.publish({
        Time: event.Time,
        Type: event.Type,
        Action: event.Action,
        Key: event.Key,
        Object: event.Object ?? null,
      })
      return empty(204)
    }
    case 'ws':
      throw new MockError(400, method, 'websocket upgrade required')
    case 'meta':
      return metaRoute(
        store,
        method,
        seg,
        method === 'PATCH' ? await readJson(request, ctx.bodyLimit) : undefined,
      )
    case 'indexes':
      allowOnly(method, 'GET')
      return indexesRoute(store, seg)
    case 'files':
      if (seg.length === 1) {
        allowOnly(method, 'GET')
        return listFiles(store, url.searchParams.get('path'))
      }
      return fileRoute(store, request, seg.slice(1), ctx.blobLimit)
    case 'isos':
      return isoRoute(store, request, seg[1], ctx.blobLimit)
    case 'contents': {
      const body =
        method === 'POST' || method === 'PUT' ? await readJson(request, ctx.bodyLimit) : undefined
      return contentRoute(store, method, seg[1], body)
    }
    case 'interfaces':
      allowOnly(method, 'GET')
      if (seg.length === 1) return json(store.items('interfaces').map((i) => i.object))
      {
        const nic = store.collection('interfaces').get(seg[1]!)
        if (!nic) throw new MockError(404, 'GET', 'No interface', 'interfaces', seg[1])
        return json(nic)
      }
  }
  if (head === 'users' && (seg[2] === 'token' || seg[2] === 'password') && seg.length === 3) {
    return usersRoute(ctx, request, seg, url)
  }
  if (head === 'jobs') {
    const answer = await jobsRoute(ctx, request, seg, url)
    if (answer) return answer
  }
  if (head === 'plugin_providers') {
    const answer = await pluginProviders(ctx, request, seg)
    if (answer) return answer
  }
  const spec = specOf(head)
  if (!spec) throw new MockError(404, method, 'No route', '', url.pathname)
  if (seg.length === 1) {
    if (method === 'GET' || method === 'HEAD')
      return listCollection(store, head, method, url.searchParams)
    if (method !== 'POST' || !spec.writable || head === 'jobs')
      throw new MockError(405, method, 'Method not allowed')
    return json(present(head, store.create(head, await readJson(request, ctx.bodyLimit))), 201)
  }
  const withBody = method === 'PUT' || method === 'PATCH' || method === 'POST'
  if (PARAM_OWNERS.has(head) && seg[2] === 'params') {
    const body = withBody ? await readJson(request, ctx.bodyLimit) : undefined
    return paramsRoute(store, head, seg[1]!, seg.slice(3).join('/'), method, url.searchParams, body)
  }
  const key = seg.slice(1).join('/')
  if (head !== 'params' && seg.length > 2) {
    throw new MockError(404, method, 'No route', '', url.pathname)
  }
  const body = withBody ? await readJson(request, ctx.bodyLimit) : undefined
  return objectRoute(store, head, key, method, url.searchParams, body)
}
