import { type ErrorParser, HttpError, type HttpErrorInit, WharfError } from '@wharf/core-http'

/** The store's error codes (`params.ErrorCode`), plus the client-side `other charmstore error`. */
export const ErrorCode = {
  NotFound: 'not found',
  MetadataNotFound: 'metadata not found',
  Forbidden: 'forbidden',
  BadRequest: 'bad request',
  InvalidEntity: 'invalid charm or bundle',
  EntityIdNotAllowed: 'charm or bundle id not allowed',
  ReadOnly: 'charmstore is in read-only mode',
  Unauthorized: 'unauthorized',
  MethodNotAllowed: 'method not allowed',
  ServiceUnavailable: 'service unavailable',
  DuplicateUpload: 'duplicate upload',
  MultipleErrors: 'multiple errors',
  DischargeRequired: 'macaroon discharge required',
  /** Assigned when the store sent a message without a code. */
  Other: 'other charmstore error',
} as const

/** The stable `code` of UploadNotFoundError, the counterpart of csclient's `ErrUploadNotFound`. */
export const ERR_UPLOAD_NOT_FOUND = 'ERR_UPLOAD_NOT_FOUND'

/** The store's `{Message, Code, Info}` error body turned into error entries. */
export const charmStoreErrorParser: ErrorParser = (body, response) => {
  const type = response.headers.get('content-type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type)) return []
  if (typeof body !== 'object' || body === null) return []
  const b = body as Record<string, unknown>
  if (typeof b.Message !== 'string' || b.Message === '') return []
  const code = typeof b.Code === 'string' && b.Code !== '' ? b.Code : ErrorCode.Other
  return [{ code, message: b.Message, ...(b.Info === undefined ? {} : { detail: b.Info }) }]
}

/**
 * The store answered with an error (any status but 200). `storeCode` is its `Code`
 * (`not found`, `unauthorized`, …; `other charmstore error` when it sent none, undefined when
 * the body was not a store error); `info` holds per-item errors of `multiple errors`.
 */
export class CharmStoreError extends HttpError {
  readonly storeCode: string | undefined
  readonly info: Record<string, { Message: string; Code?: string }> | undefined

  constructor(init: HttpErrorInit) {
    super(init, 'ERR_CHARMSTORE')
    this.storeCode = this.errors[0]?.code
    const detail = this.errors[0]?.detail
    this.info =
      detail && typeof detail === 'object' ? (detail as CharmStoreError['info']) : undefined
  }

  /** Re-types a core-http HttpError. */
  static from(error: HttpError): CharmStoreError {
    return new CharmStoreError(error.toInit())
  }
}

/** True for a CharmStoreError, optionally with the given store code. */
export function isCharmStoreError(error: unknown, storeCode?: string): error is CharmStoreError {
  return (
    error instanceof CharmStoreError && (storeCode === undefined || error.storeCode === storeCode)
  )
}

const AUTH_ERRORS = new Set(['ERR_DISCHARGE', 'ERR_INTERACTION_REQUIRED'])

/**
 * True when authorization was denied: the store said `unauthorized` (or demanded a macaroon
 * the client could not get), or the bakery discharge failed (`DischargeError`,
 * `InteractionRequiredError` from @wharf/auth), also when wrapped as a `cause`.
 */
export function isAuthorizationError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 8; e = (e as Error).cause, depth++) {
    if (e instanceof CharmStoreError) {
      return e.storeCode === ErrorCode.Unauthorized || e.storeCode === ErrorCode.DischargeRequired
    }
    if (e instanceof WharfError && AUTH_ERRORS.has(e.code)) return true
  }
  return false
}

/** A multipart upload id the store does not know (or that expired); code `ERR_UPLOAD_NOT_FOUND`. */
export class UploadNotFoundError extends WharfError {
  readonly uploadId: string
  constructor(uploadId: string, options: { cause?: unknown } = {}) {
    super(ERR_UPLOAD_NOT_FOUND, `upload not found: ${JSON.stringify(uploadId)}`, options)
    this.uploadId = uploadId
  }
}

/** The store answered 200 but with something the protocol does not allow (missing headers, bad ids). */
export class CharmStoreProtocolError extends WharfError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_CHARMSTORE_PROTOCOL', message, options)
  }
}

/** A caller passed an invalid argument (a revision where none is allowed, an empty name…). */
export class CharmStoreArgumentError extends WharfError {
  constructor(message: string) {
    super('ERR_INVALID_ARGUMENT', message)
  }
}
