import { HttpError, type HttpErrorInit, WharfError } from '@wharf/core-http'

/** The error body dr-provision sends: `{Model, Key, Type, Messages, Code}`. */
export interface ErrorBody {
  Model?: string
  Key?: string
  Type?: string
  Messages?: string[] | null
  Code?: number
}

function asErrorBody(body: unknown): ErrorBody {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as ErrorBody)
    : {}
}

/**
 * The server answered with an error status. `type`, `model`, `key` and `messages` come from
 * the dr-provision error body when there is one (empty bodies, such as the 401/403 ones, leave
 * them empty); `status` is always the HTTP status.
 */
export class ProvisionError extends HttpError {
  /** The server's error `Type` (`GET`, `CREATE`, `ValidationError`, `PATCH`, `AUTH` …). */
  readonly type: string
  /** The prefix the error is about, or "". */
  readonly model: string
  /** The object key the error is about, or "". */
  readonly key: string
  /** The server's messages. */
  readonly messages: string[]

  constructor(init: HttpErrorInit, code = 'ERR_PROVISION') {
    super(init, code)
    const body = asErrorBody(init.body)
    this.type = String(body.Type ?? '')
    this.model = String(body.Model ?? '')
    this.key = String(body.Key ?? '')
    this.messages = Array.isArray(body.Messages) ? body.Messages.map(String) : []
  }
}

/** 401 or 403: missing, malformed, wrong or expired credentials (often with an empty body). */
export class ProvisionAuthError extends ProvisionError {
  constructor(init: HttpErrorInit) {
    super(init, 'ERR_UNAUTHORIZED')
  }
}

/** A JSON patch was rejected (409 `PATCH`): usually a `test` lost a race with another writer. */
export class PatchConflictError extends ProvisionError {
  constructor(init: HttpErrorInit) {
    super(init, 'ERR_PATCH_CONFLICT')
  }
}

/** Turns a core-http HttpError into the matching dr-provision error. */
export function toProvisionError(error: HttpError): ProvisionError {
  if (error instanceof ProvisionError) return error
  const init = error.toInit()
  if (error.status === 401 || error.status === 403) return new ProvisionAuthError(init)
  if (error.status === 409 && asErrorBody(error.body).Type === 'PATCH') {
    return new PatchConflictError(init)
  }
  return new ProvisionError(init)
}

/** Error parser for core-http: one entry per server message, coded with the error `Type`. */
export function parseErrorEntries(body: unknown): Array<{ code: string; message: string }> {
  const b = asErrorBody(body)
  if (b.Type === undefined && b.Messages === undefined) return []
  const prefix = b.Model ? (b.Key ? `${b.Model}/${b.Key}: ` : `${b.Model}: `) : ''
  const messages = Array.isArray(b.Messages) && b.Messages.length ? b.Messages : ['']
  return messages.map((m) => ({ code: String(b.Type ?? ''), message: `${prefix}${m}` }))
}

/** A request could not be built (bad builder arguments); nothing was sent. */
export class RequestBuildError extends WharfError {
  constructor(message: string) {
    super('ERR_REQUEST', message)
  }
}

/** A filter argument list or builder call is invalid; nothing was sent. */
export class InvalidFilterError extends WharfError {
  constructor(message: string) {
    super('ERR_INVALID_FILTER', `Invalid Filter: ${message}`)
  }
}

/** The server answered with a body the client cannot decode. */
export class UnexpectedContentError extends WharfError {
  /** The HTTP status of the response. */
  readonly status: number
  constructor(status: number, message: string) {
    super('ERR_CONTENT_TYPE', message)
    this.status = status
  }
}

/** A model object or key is not usable for the call (missing key, wrong prefix). */
export class ModelError extends WharfError {
  constructor(message: string) {
    super('ERR_MODEL', message)
  }
}
