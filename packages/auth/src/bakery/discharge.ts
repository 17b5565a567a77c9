import {
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type HttpResponse,
  ParseError,
  redactUrl,
} from '@wharf/core-http'
import { toBase64Url } from '../base64.js'
import { DischargeError, InteractionRequiredError } from '../errors.js'
import { assertSecureTransport } from '../transport.js'
import { VERSION } from '../version.js'
import { caveatIdField, decodeMacaroon, type Macaroon, thirdPartyCaveats } from './macaroons.js'

/** Largest discharger answer read. */
const ANSWER_LIMIT = 1024 * 1024
/** Discharges gathered at most for one macaroon (third-party caveats may nest). */
const MAX_DISCHARGES = 32

/** How discharges are obtained. */
export interface DischargeOptions {
  fetch?: FetchLike
  interact?: (visitUrl: string) => Promise<void>
  allowInsecure?: boolean
  timeout?: number
  waitTimeout?: number
  signal?: AbortSignal
}

/** A bakery error body: `{Code, Message, Info}`. */
export interface BakeryErrorBody {
  Code?: unknown
  Message?: unknown
  Info?: Record<string, unknown>
}

/** Discharges every third-party caveat of `primary` (and of the discharges), bound to it. */
export async function dischargeAll(
  primary: Macaroon,
  caveatData: Map<string, string>,
  options: DischargeOptions,
): Promise<Macaroon[]> {
  const need = thirdPartyCaveats(primary).map((c) => ({ ...c, data: caveatData }))
  const discharges: Macaroon[] = []
  while (need.length) {
    if (discharges.length >= MAX_DISCHARGES) {
      throw new DischargeError(`more than ${MAX_DISCHARGES} discharges needed for one macaroon`)
    }
    const caveat = need.shift()!
    const { macaroon, caveatData: nested } = await acquireDischarge(caveat, options)
    discharges.push(macaroon)
    need.push(...thirdPartyCaveats(macaroon).map((c) => ({ ...c, data: nested })))
  }
  for (const d of discharges) d.bindToRoot(primary.signature)
  return discharges
}

/** Reads a JSON body, bounded; undefined when it is not JSON. */
async function readJson(response: HttpResponse): Promise<unknown> {
  try {
    return await response.json({ limit: ANSWER_LIMIT })
  } catch (error) {
    if (error instanceof ParseError) return undefined
    throw error
  }
}

/** Resolves a URL a discharger sent (relative to its location) and checks it is http(s). */
function dischargerUrl(value: unknown, base: string, what: string): URL {
  let url: URL | undefined
  try {
    url = typeof value === 'string' && value ? new URL(value, `${base}/`) : undefined
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new DischargeError(`the discharger sent an unusable ${what}`)
  }
  return url
}

async function acquireDischarge(
  caveat: { id: Uint8Array; location: string; data: Map<string, string> },
  options: DischargeOptions,
) {
  let location: URL
  try {
    location = new URL(caveat.location)
  } catch {
    throw new DischargeError('a third-party caveat has a location that is not a URL')
  }
  if (location.protocol !== 'http:' && location.protocol !== 'https:') {
    throw new DischargeError(`refusing a third-party caveat located at a ${location.protocol} URL`)
  }
  assertSecureTransport(location, options.allowInsecure ?? false, 'a discharge request')
  const base = location.href.replace(/\/+$/, '')
  const client = createHttpClient({
    baseUrl: base,
    fetch: options.fetch,
    userAgent: `wharf-auth/${VERSION}`,
    timeout: options.timeout ?? 30_000,
    retry: { limit: 1 },
    bodyLimit: ANSWER_LIMIT,
    signal: options.signal,
  })
  const form = new URLSearchParams([caveatIdField(caveat.id)])
  const data = caveat.data.get(toBase64Url(caveat.id))
  if (data) form.set('caveat64', data)

  let interacted = false
  for (;;) {
    const body = await post(client, `${base}/discharge`, form)
    if (body.ok)
      return decodeMacaroon((body.value as { Macaroon?: unknown })?.Macaroon, 'the discharge')
    const error = body.value as BakeryErrorBody
    const info = (typeof error.Info === 'object' && error.Info) || {}
    if (error.Code !== 'interaction required' || interacted) {
      throw new DischargeError(
        `third party ${redactUrl(location.origin)} refused discharge: ${String(error.Message ?? error.Code ?? 'no reason given')}`,
      )
    }
    interacted = true
    const browser = (
      info.InteractionMethods as Record<string, Record<string, unknown>> | undefined
    )?.['browser-window']
    if (browser && typeof browser === 'object') {
      const visit = dischargerUrl(browser.VisitURL, base, 'visit URL')
      const wait = dischargerUrl(browser.WaitTokenURL, base, 'wait URL')
      await interactAt(visit, options)
      const token = (await waitFor(client, wait, options)) as Record<string, unknown>
      const kind = typeof token?.kind === 'string' ? token.kind : 'browser-window'
      if (typeof token?.token === 'string') form.set('token', token.token)
      else if (typeof token?.token64 === 'string') form.set('token64', token.token64)
      else throw new DischargeError('the discharger’s wait URL returned no token')
      form.set('token-kind', kind)
      continue
    }
    if (info.VisitURL !== undefined && info.WaitURL !== undefined) {
      const visit = dischargerUrl(info.VisitURL, base, 'visit URL')
      const wait = dischargerUrl(info.WaitURL, base, 'wait URL')
      await interactAt(visit, options)
      const answer = (await waitFor(client, wait, options)) as { Macaroon?: unknown }
      return decodeMacaroon(answer?.Macaroon, 'the discharge from the wait URL')
    }
    throw new DischargeError('the discharger offers no supported interaction method')
  }
}

async function interactAt(visit: URL, options: DischargeOptions): Promise<void> {
  if (!options.interact) throw new InteractionRequiredError(visit.href)
  await options.interact(visit.href)
}

async function waitFor(client: HttpClient, wait: URL, options: DischargeOptions): Promise<unknown> {
  const response = await client.request(wait, { timeout: options.waitTimeout ?? 300_000, retry: 0 })
  return readJson(response)
}

async function post(
  client: HttpClient,
  url: string,
  form: URLSearchParams,
): Promise<{ ok: boolean; value: unknown }> {
  const response = await client.request(url, {
    method: 'POST',
    headers: {
      'bakery-protocol-version': '3',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: form.toString(),
    throwHttpErrors: false,
  })
  const value = await readJson(response)
  if (typeof value !== 'object' || value === null) {
    throw new DischargeError(`the discharger answered ${response.status} without a JSON body`)
  }
  return { ok: response.status === 200, value }
}
