import { type Channel, type CharmRef, parseChannel, resolveRef } from './channel.js'
import type { CallOptions, CharmStoreClient } from './client.js'
import { CharmStoreArgumentError } from './errors.js'
import type { LogLevel, LogType, StatsUpdateRequest, WhoAmIResponse } from './params.js'
import { type CharmId, toCharmURL } from './url.js'

/** `PUT /<id>/publish`: publishes the entity with the given resource revisions; nothing is sent when `channels` is empty. */
export async function publish(
  client: CharmStoreClient,
  ref: CharmRef,
  channels: Channel[],
  resources: Record<string, number> = {},
  options: CallOptions = {},
): Promise<void> {
  if (channels.length === 0) return
  const { id } = resolveRef(ref)
  for (const [name, rev] of Object.entries(resources)) {
    if (!Number.isSafeInteger(rev) || rev < 0)
      throw new CharmStoreArgumentError(`invalid revision ${rev} for resource ${name}`)
  }
  await client.put(
    `/${id.path()}/publish`,
    { Channels: channels.map(parseChannel), Resources: resources },
    options,
  )
}

function checkInfo(info: Record<string, unknown>, what: string): void {
  if (!info || typeof info !== 'object' || Array.isArray(info))
    throw new CharmStoreArgumentError(`${what} must be an object`)
  for (const key of Object.keys(info)) {
    if (key === '' || /[./$]/.test(key))
      throw new CharmStoreArgumentError(`bad key for ${what}: ${JSON.stringify(key)}`)
  }
}

/** `PUT /<id>/meta/extra-info`: sets each key (null deletes it); other keys are untouched. */
export async function putExtraInfo(
  client: CharmStoreClient,
  ref: CharmRef,
  info: Record<string, unknown>,
  options: CallOptions = {},
): Promise<void> {
  checkInfo(info, 'extra-info')
  await client.put(`/${resolveRef(ref).id.path()}/meta/extra-info`, info, options)
}

/** `PUT /<id>/meta/common-info`: like extra-info, shared by all revisions. */
export async function putCommonInfo(
  client: CharmStoreClient,
  ref: CharmRef,
  info: Record<string, unknown>,
  options: CallOptions = {},
): Promise<void> {
  checkInfo(info, 'common-info')
  await client.put(`/${resolveRef(ref).id.path()}/meta/common-info`, info, options)
}

const LEVELS: LogLevel[] = ['info', 'warning', 'error']
const TYPES: LogType[] = ['ingestion', 'legacyStatistics']

/** `POST /log` (admin only): one entry whose `Data` is the JSON-encoded message. */
export async function log(
  client: CharmStoreClient,
  type: LogType,
  level: LogLevel,
  message: string,
  urls: CharmId[] = [],
  options: CallOptions = {},
): Promise<void> {
  if (!TYPES.includes(type))
    throw new CharmStoreArgumentError(`invalid log type ${JSON.stringify(type)}`)
  if (!LEVELS.includes(level))
    throw new CharmStoreArgumentError(`invalid log level ${JSON.stringify(level)}`)
  const entry = {
    Data: message,
    Level: level,
    Type: type,
    URLs: urls.map((u) => toCharmURL(u).toString()),
  }
  const response = await client.do('/log', {
    method: 'POST',
    json: [entry],
    signal: options.signal,
  })
  await response.discard()
}

/** `GET /whoami`: the authenticated user and groups. */
export function whoAmI(
  client: CharmStoreClient,
  options: CallOptions = {},
): Promise<WhoAmIResponse> {
  return client.get<WhoAmIResponse>('/whoami', options)
}

/** `GET /delegatable-macaroon`: runs the macaroon login so later requests carry credentials. */
export async function login(client: CharmStoreClient, options: CallOptions = {}): Promise<void> {
  const response = await client.do('/delegatable-macaroon', { signal: options.signal })
  await response.discard()
}

/** `PUT /stats/update` */
export async function statsUpdate(
  client: CharmStoreClient,
  request: StatsUpdateRequest,
  options: CallOptions = {},
): Promise<void> {
  if (!Array.isArray(request?.Entries))
    throw new CharmStoreArgumentError('stats update needs an Entries array')
  await client.put('/stats/update', request, options)
}
