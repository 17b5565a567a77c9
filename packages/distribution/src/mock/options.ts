import { DEFAULT_MANIFEST_TYPES, type ManifestTypeRule } from './media-types.js'

/** A resource named in a token scope: `repository:<name>` or `registry:catalog`. */
export interface ScopeResource {
  type: string
  name: string
}

/** Who may do what, asked for every grant: returns the allowed actions. */
export type AccessPolicy = (resource: ScopeResource, username: string | undefined) => string[]

/** Authentication the mock demands. */
export type MockAuth =
  | { type: 'none' }
  | {
      type: 'basic'
      username: string
      password: string
      policy?: AccessPolicy
      /** Let requests without credentials pull (GET/HEAD on repositories). */
      anonymousPull?: boolean
    }
  | {
      type: 'token'
      /** Credentials the token endpoint wants (Basic, or the OAuth2 password grant); none → anonymous tokens. */
      username?: string
      password?: string
      /** `service` in the challenge; default the origin's host. */
      service?: string
      /** Token lifetime in seconds; default 60. */
      expiresIn?: number
      policy?: AccessPolicy
      /** Issue pull-only tokens to requests without credentials (a public registry). */
      anonymousPull?: boolean
    }

/** Behaviours of the CNCF distribution 2.8 reference server that break the spec. */
export interface MockQuirks {
  /** Tags list ignores `n` and `last` and returns every tag. */
  ignoreTagPagination?: boolean
  /** PATCH and PUT ignore `Content-Range` and append blindly (no 416). */
  ignoreContentRange?: boolean
  /** Upload Locations carry the offset; an older one answers 404 BLOB_UPLOAD_INVALID. */
  staleLocationInvalid?: boolean
  /** DELETE of a manifest by tag answers 400 DIGEST_INVALID. */
  digestOnlyDeletes?: boolean
  /**
   * A 416 for an unsatisfiable Range claims the blob's size as Content-Length, sends a few
   * bytes and drops the connection: clients must decide by status without reading the body.
   */
  brokenRangeErrors?: boolean
}

/** Options of {@link createMockRegistry}. */
export interface MockRegistryOptions {
  /** Origin the msw handlers answer; default `http://registry.mock`. */
  origin?: string
  /** Origin for redirected blob GETs; default `http://storage.mock`. */
  storageOrigin?: string
  /** Authentication; default none. */
  auth?: MockAuth
  /** Serve the referrers API; false answers 404 so clients use the tag-schema fallback. Default true. */
  referrersApi?: boolean
  /** Referrers per page before a `Link` is sent; default unlimited. */
  referrersPageSize?: number
  /** Sent as `OCI-Chunk-Min-Length` when an upload starts. */
  chunkMinLength?: number
  /** Allow DELETE of manifests and blobs; default true (false → 405 UNSUPPORTED). */
  deleteEnabled?: boolean
  /** Allow DELETE of a manifest by tag (untag); default true (false → 400 UNSUPPORTED). */
  tagDeleteEnabled?: boolean
  /** Accept a blob in a single POST with `?digest=` (201); false answers 202 like the reference server. Default true. */
  singlePostUpload?: boolean
  /** Mount a blob found anywhere in the registry when `from` is missing; default false. */
  automaticCrossMount?: boolean
  /** Answer 404 when `Accept` excludes the stored manifest type, as the reference server does. Default false. */
  strictAccept?: boolean
  /** Refuse manifests whose config, layers or child manifests are missing (`MANIFEST_BLOB_UNKNOWN`); default true. */
  validateReferences?: boolean
  /** Accept indexes whose child manifests are missing (with `validateReferences`); default false. */
  sparseIndexes?: boolean
  /** Reference-server quirks to reproduce; see {@link DISTRIBUTION_2_8}. */
  quirks?: MockQuirks
  /** Manifest media types accepted on PUT, merged over the OCI and Docker defaults. */
  manifestTypes?: Record<string, ManifestTypeRule>
  /** Largest manifest accepted; default 4 MiB (413 above). */
  maxManifestBytes?: number
  /** Cap on blobs, uploads and manifests held in memory; default 2 GiB (413 DENIED above). */
  maxBytes?: number
  /** Largest `n` honoured on tags and catalog (larger values are clamped); default 1000. */
  maxPageSize?: number
  /** Texts sent as `Warning: 299 - "<text>"` headers on every registry response (at most 4096 bytes in all). */
  warnings?: string[]
  /** Requests kept in `requests` (oldest dropped first); default 10 000. */
  maxLoggedRequests?: number
  /** Clock in milliseconds (tokens, upload expiry); default `Date.now`. */
  now?: () => number
}

/** Options with defaults applied. */
export type ResolvedOptions = Required<
  Omit<MockRegistryOptions, 'chunkMinLength' | 'referrersPageSize' | 'manifestTypes' | 'quirks'>
> & {
  quirks: Required<MockQuirks>
  chunkMinLength?: number
  referrersPageSize: number
  manifestTypes: Readonly<Record<string, ManifestTypeRule>>
}

/** Applies defaults and checks numbers. */
export function resolveOptions(options: MockRegistryOptions = {}): ResolvedOptions {
  const positive = (name: string, value: number | undefined, fallback: number, min = 0) => {
    const n = value ?? fallback
    if (!Number.isSafeInteger(n) || n < min) {
      throw new TypeError(`createMockRegistry: ${name} must be an integer of at least ${min}`)
    }
    return n
  }
  const origin = new URL(options.origin ?? 'http://registry.mock').origin
  const storageOrigin = new URL(options.storageOrigin ?? 'http://storage.mock').origin
  if (origin === storageOrigin) {
    throw new TypeError('createMockRegistry: origin and storageOrigin must differ')
  }
  return {
    origin,
    storageOrigin,
    auth: options.auth ?? { type: 'none' },
    referrersApi: options.referrersApi ?? true,
    referrersPageSize: positive(
      'referrersPageSize',
      options.referrersPageSize,
      Number.MAX_SAFE_INTEGER,
      1,
    ),
    ...(options.chunkMinLength === undefined
      ? {}
      : { chunkMinLength: positive('chunkMinLength', options.chunkMinLength, 0) }),
    deleteEnabled: options.deleteEnabled ?? true,
    tagDeleteEnabled: options.tagDeleteEnabled ?? true,
    singlePostUpload: options.singlePostUpload ?? true,
    automaticCrossMount: options.automaticCrossMount ?? false,
    strictAccept: options.strictAccept ?? false,
    validateReferences: options.validateReferences ?? true,
    sparseIndexes: options.sparseIndexes ?? false,
    quirks: {
      ignoreTagPagination: options.quirks?.ignoreTagPagination ?? false,
      ignoreContentRange: options.quirks?.ignoreContentRange ?? false,
      staleLocationInvalid: options.quirks?.staleLocationInvalid ?? false,
      digestOnlyDeletes: options.quirks?.digestOnlyDeletes ?? false,
      brokenRangeErrors: options.quirks?.brokenRangeErrors ?? false,
    },
    manifestTypes: { ...DEFAULT_MANIFEST_TYPES, ...options.manifestTypes },
    maxManifestBytes: positive('maxManifestBytes', options.maxManifestBytes, 4 * 1024 * 1024),
    maxBytes: positive('maxBytes', options.maxBytes, 2 * 1024 ** 3),
    maxPageSize: positive('maxPageSize', options.maxPageSize, 1000, 1),
    warnings: checkWarnings(options.warnings ?? []),
    maxLoggedRequests: positive('maxLoggedRequests', options.maxLoggedRequests, 10_000),
    now: options.now ?? Date.now,
  }
}

/**
 * Options that make the mock behave like the CNCF distribution 2.8 reference server (checked
 * against 2.8.2 by a differential test): no single-POST uploads (202), no referrers API, tag
 * deletes refused with DIGEST_INVALID, tags list without pagination, `Content-Range` ignored,
 * stale upload Locations refused, and 416 answers whose body breaks off.
 */
export const DISTRIBUTION_2_8: Readonly<MockRegistryOptions> = Object.freeze({
  singlePostUpload: false,
  referrersApi: false,
  quirks: Object.freeze({
    ignoreTagPagination: true,
    ignoreContentRange: true,
    staleLocationInvalid: true,
    digestOnlyDeletes: true,
    brokenRangeErrors: true,
  }),
})

function checkWarnings(warnings: string[]): string[] {
  const size = warnings.reduce((n, w) => n + new TextEncoder().encode(w).byteLength, 0)
  if (size > 4096) throw new TypeError('createMockRegistry: warnings exceed 4096 bytes')
  return warnings
}
