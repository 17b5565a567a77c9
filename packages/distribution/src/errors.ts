import {
  type ApiErrorEntry,
  type ErrorParser,
  HttpError,
  type HttpErrorInit,
  WharfError,
} from '@wharf/core-http'

/** The registry is not an OCI / Docker v2 registry: `GET /v2/` answered neither 200 nor 401. */
export class NotOciError extends WharfError {
  /** The status `/v2/` answered with (0 when the connection failed). */
  readonly status: number
  constructor(url: string, status: number, options: { cause?: unknown } = {}) {
    super(
      'ERR_NOT_OCI',
      `${url} is not an OCI distribution registry (GET /v2/ answered ${status || 'nothing'})`,
      options,
    )
    this.status = status
  }
}

/** A registry error response, with the HTTP details and the spec's `errors` entries. */
export class RegistryError extends HttpError {}

/** `MANIFEST_UNKNOWN` (or any 404 for a manifest): the manifest does not exist. */
export class ManifestUnknownError extends RegistryError {}
/** `BLOB_UNKNOWN` (or any 404 for a blob): the blob does not exist in that repository. */
export class BlobUnknownError extends RegistryError {}
/** `NAME_UNKNOWN`: the repository does not exist. */
export class NameUnknownError extends RegistryError {}
/** `NAME_INVALID`: the registry rejected the repository name. */
export class NameInvalidError extends RegistryError {}
/** `UNAUTHORIZED` / 401: credentials are missing or were refused. */
export class UnauthorizedError extends RegistryError {}
/** `DENIED` / 403: the credentials do not grant this access. */
export class DeniedError extends RegistryError {}
/** `TOOMANYREQUESTS` / 429: rate limited (see `Retry-After` in `headers`). */
export class TooManyRequestsError extends RegistryError {}
/** `UNSUPPORTED` / 405: the registry does not offer this operation (for example deletes). */
export class UnsupportedError extends RegistryError {}
/** `DIGEST_INVALID`: the registry says the content does not match its digest. */
export class DigestInvalidError extends RegistryError {}
/** `MANIFEST_INVALID`: the registry refused the manifest. */
export class ManifestInvalidError extends RegistryError {}
/** `MANIFEST_BLOB_UNKNOWN`: a pushed manifest references blobs the repository lacks. */
export class ManifestBlobUnknownError extends RegistryError {}
/** `BLOB_UPLOAD_UNKNOWN` / `BLOB_UPLOAD_INVALID`: the upload session is gone or broken. */
export class BlobUploadError extends RegistryError {}
/** `SIZE_INVALID`: the registry received a different length than announced. */
export class SizeInvalidError extends RegistryError {}

type RegistryErrorClass = new (init: HttpErrorInit, code?: string) => RegistryError

/** Each spec error code → [class, stable Wharf code]. */
const BY_CODE: Record<string, [RegistryErrorClass, string]> = {
  MANIFEST_UNKNOWN: [ManifestUnknownError, 'ERR_MANIFEST_UNKNOWN'],
  BLOB_UNKNOWN: [BlobUnknownError, 'ERR_BLOB_UNKNOWN'],
  NAME_UNKNOWN: [NameUnknownError, 'ERR_NAME_UNKNOWN'],
  NAME_INVALID: [NameInvalidError, 'ERR_NAME_INVALID'],
  UNAUTHORIZED: [UnauthorizedError, 'ERR_UNAUTHORIZED'],
  DENIED: [DeniedError, 'ERR_DENIED'],
  TOOMANYREQUESTS: [TooManyRequestsError, 'ERR_TOO_MANY_REQUESTS'],
  UNSUPPORTED: [UnsupportedError, 'ERR_UNSUPPORTED'],
  DIGEST_INVALID: [DigestInvalidError, 'ERR_DIGEST_INVALID'],
  MANIFEST_INVALID: [ManifestInvalidError, 'ERR_MANIFEST_INVALID'],
  MANIFEST_BLOB_UNKNOWN: [ManifestBlobUnknownError, 'ERR_MANIFEST_BLOB_UNKNOWN'],
  BLOB_UPLOAD_UNKNOWN: [BlobUploadError, 'ERR_BLOB_UPLOAD'],
  BLOB_UPLOAD_INVALID: [BlobUploadError, 'ERR_BLOB_UPLOAD'],
  SIZE_INVALID: [SizeInvalidError, 'ERR_SIZE_INVALID'],
}

const BY_STATUS: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  405: 'UNSUPPORTED',
  429: 'TOOMANYREQUESTS',
}

/** What a request was about, so a bodiless 404 (a HEAD) still maps to the right error. */
export type Subject = 'manifest' | 'blob' | 'upload' | 'repository'

const NOT_FOUND: Record<Subject, string> = {
  manifest: 'MANIFEST_UNKNOWN',
  blob: 'BLOB_UNKNOWN',
  upload: 'BLOB_UPLOAD_UNKNOWN',
  repository: 'NAME_UNKNOWN',
}

/**
 * Turns a core-http HttpError into the typed registry error its spec code (or, without a
 * body, its status and the request's subject) names. Other errors pass through unchanged.
 */
export function toRegistryError(error: WharfError, subject?: Subject): WharfError {
  if (!(error instanceof HttpError) || error instanceof RegistryError) return error
  const first = error.errors.find((e) => BY_CODE[e.code])?.code
  const spec =
    error.status === 404 && subject ? NOT_FOUND[subject] : (first ?? BY_STATUS[error.status])
  const [Class, code] = (spec && BY_CODE[spec]) || [RegistryError, 'ERR_REGISTRY']
  return new Class(error.toInit(), code)
}

/**
 * The distribution spec's error body parser: `{"errors":[{code,message,detail}]}`, a token
 * server's `{"details": "..."}`, and `WWW-Authenticate` error hints on 401/403.
 */
export const registryErrorParser: ErrorParser = (body, response) => {
  const entries: ApiErrorEntry[] = []
  const b = body as any
  if (b && typeof b === 'object' && Array.isArray(b.errors)) {
    for (const e of b.errors) {
      if (!e || typeof e !== 'object') continue
      entries.push({
        code: typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code) ? e.code : 'UNKNOWN',
        message: typeof e.message === 'string' ? e.message : '',
        ...(e.detail === undefined ? {} : { detail: e.detail }),
      })
    }
  } else if (b && typeof b === 'object' && typeof b.details === 'string') {
    entries.push({ code: BY_STATUS[response.status] ?? 'UNKNOWN', message: b.details })
  } else if (typeof body === 'string' && body.trim()) {
    entries.push({
      code: BY_STATUS[response.status] ?? 'UNKNOWN',
      message: body.trim().slice(0, 300),
    })
  }
  const challenge = response.headers.get('www-authenticate') ?? ''
  const hint = /error="([^"]*)"/.exec(challenge)?.[1]
  if (hint && !entries.length) {
    entries.push({
      code: hint === 'insufficient_scope' ? 'DENIED' : 'UNAUTHORIZED',
      message: /error_description="([^"]*)"/.exec(challenge)?.[1] ?? hint,
    })
  }
  return entries
}

/** One problem found while validating a manifest or index: where and what. */
export interface ValidationIssue {
  /** JSON path of the offending field, e.g. `layers[2].digest`. */
  path: string
  message: string
}

/** A document failed schema validation; `issues` names every offending field. */
export class SchemaValidationError extends WharfError {
  readonly issues: ValidationIssue[]
  constructor(what: string, issues: ValidationIssue[], code = 'ERR_SCHEMA_VALIDATION') {
    const list = issues
      .slice(0, 5)
      .map((i) => `${i.path || '(root)'}: ${i.message}`)
      .join('; ')
    super(
      code,
      `${what} is invalid: ${list}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`,
    )
    this.issues = issues
  }
}

/** An image manifest (OCI or Docker schema2) broke the image-spec schema. */
export class InvalidManifestError extends SchemaValidationError {
  constructor(issues: ValidationIssue[]) {
    super('manifest', issues, 'ERR_INVALID_MANIFEST')
  }
}

/** An image index (OCI or Docker manifest list) broke the image-spec schema. */
export class InvalidIndexError extends SchemaValidationError {
  constructor(issues: ValidationIssue[]) {
    super('index', issues, 'ERR_INVALID_INDEX')
  }
}

/** A manifest's media type is not one this client understands. */
export class UnknownMediaTypeError extends WharfError {
  readonly mediaType: string
  constructor(mediaType: string, what = 'manifest') {
    super(
      'ERR_UNKNOWN_MEDIA_TYPE',
      `${what} has an unknown media type ${JSON.stringify(mediaType.slice(0, 200))}`,
    )
    this.mediaType = mediaType
  }
}
