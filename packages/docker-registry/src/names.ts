import { InvalidReferenceError, parseReference } from '@wharf/distribution'
import { DEFAULT_DOMAIN, INDEX_SERVER, LEGACY_DEFAULT_DOMAIN, OFFICIAL_NAMESPACE } from './hub.js'

/** A fully qualified image reference after Docker Hub normalization. */
export class NormalizedName {
  /** Registry host with optional port: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly domain: string
  /** Repository path inside the registry: `library/ubuntu`. */
  readonly path: string
  readonly tag?: string
  readonly digest?: string

  constructor(parts: { domain: string; path: string; tag?: string; digest?: string }) {
    this.domain = parts.domain
    this.path = parts.path
    if (parts.tag !== undefined) this.tag = parts.tag
    if (parts.digest !== undefined) this.digest = parts.digest
  }

  /** `domain/path` without tag or digest. */
  get name(): string {
    return `${this.domain}/${this.path}`
  }

  /** The fully qualified form: `docker.io/library/ubuntu:22.04@sha256:…`. */
  toString(): string {
    return `${this.name}${suffix(this)}`
  }

  /** JSON carries the fully qualified string. */
  toJSON(): string {
    return this.toString()
  }
}

/** A reference that is only a content digest (what `parseAnyReference` gives for an image ID). */
export class DigestReference {
  readonly digest: string
  constructor(digest: string) {
    this.digest = digest
  }
  /** The digest itself. */
  toString(): string {
    return this.digest
  }
  /** JSON carries the digest. */
  toJSON(): string {
    return this.digest
  }
}

function suffix(ref: { tag?: string; digest?: string }): string {
  return `${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`
}

const IDENTIFIER = /^[a-f0-9]{64}$/

/**
 * Splits a name (no tag, no digest) into domain and path as Docker does: the first component
 * is a domain when it contains `.` or `:`, is `localhost`, or has an upper-case letter;
 * otherwise the name is on Docker Hub, where one-component names live under `library/`.
 */
export function splitDockerDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/')
  const first = slash < 0 ? '' : name.slice(0, slash)
  let domain = DEFAULT_DOMAIN
  let path = name
  if (
    slash >= 0 &&
    (first === 'localhost' ||
      first.includes('.') ||
      first.includes(':') ||
      first !== first.toLowerCase())
  ) {
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first
    path = name.slice(slash + 1)
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `${OFFICIAL_NAMESPACE}/${path}`
  return { domain, path }
}

/** The name part of an input: everything before `:tag` and `@digest`. */
function namePart(input: string): string {
  const at = input.indexOf('@')
  const rest = at < 0 ? input : input.slice(0, at)
  const colon = rest.lastIndexOf(':')
  return colon >= 0 && !rest.slice(colon + 1).includes('/') ? rest.slice(0, colon) : rest
}

/**
 * Parses a reference the way `docker` reads what users type, normalizing Docker Hub names
 * (`ubuntu` → `docker.io/library/ubuntu`, `index.docker.io` → `docker.io`). Validation and
 * error codes are those of distribution's `parseReference`: InvalidReferenceError with
 * `ERR_REFERENCE_*`; a 64-hex name (an image ID) is `ERR_REFERENCE_INVALID_FORMAT`.
 */
export function parseNormalizedName(input: string): NormalizedName {
  if (typeof input === 'string' && IDENTIFIER.test(namePart(input))) {
    throw new InvalidReferenceError(
      'ERR_REFERENCE_INVALID_FORMAT',
      input,
      'a 64-hex name is an image ID, not a repository name',
    )
  }
  const parsed = parseReference(input)
  const { domain, path } = splitDockerDomain(namePart(input))
  // The normalized name must itself be a valid reference name (e.g. `Foo/bar` keeps `Foo` as domain).
  parseReference(`${domain}/${path}`)
  return new NormalizedName({
    domain,
    path,
    ...(parsed.tag === undefined ? {} : { tag: parsed.tag }),
    ...(parsed.digest === undefined ? {} : { digest: parsed.digest }),
  })
}

/**
 * What `docker pull` uses: {@link parseNormalizedName}, then `latest` when neither tag nor
 * digest is given, and only the digest when both are.
 */
export function parseDockerRef(input: string): NormalizedName {
  const ref = parseNormalizedName(input)
  const { domain, path, tag, digest } = ref
  if (digest !== undefined) return new NormalizedName({ domain, path, digest })
  return tag === undefined ? new NormalizedName({ domain, path, tag: 'latest' }) : ref
}

/**
 * Parses an image ID (64 hex characters, taken as sha256), a bare digest, or any reference
 * {@link parseNormalizedName} accepts.
 */
export function parseAnyReference(input: string): NormalizedName | DigestReference {
  if (typeof input === 'string' && IDENTIFIER.test(input))
    return new DigestReference(`sha256:${input}`)
  if (typeof input === 'string' && /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/.test(input)) {
    const ref = parseReference(`x@${input}`)
    return new DigestReference(ref.digest!)
  }
  return parseNormalizedName(input)
}

/** The short name a user types: `ubuntu`, `alice/app`, `localhost:5000/x` (no tag or digest). */
export function familiarName(ref: { domain: string; path: string }): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`
  const official = `${OFFICIAL_NAMESPACE}/`
  if (ref.path.startsWith(official) && !ref.path.slice(official.length).includes('/')) {
    return ref.path.slice(official.length)
  }
  return ref.path
}

/** The short form with tag and digest: `ubuntu:22.04`, `foo/bar@sha256:…`. */
export function familiarString(ref: NormalizedName | DigestReference): string {
  return ref instanceof DigestReference ? ref.digest : `${familiarName(ref)}${suffix(ref)}`
}

/** Docker Hub's index address (`https://index.docker.io/v1/`), also Hub's auth-config key. */
export function indexServerAddress(): string {
  return INDEX_SERVER
}

/** Where a repository lives, as the legacy `ResolveRepositoryName` reports it. */
export interface RepositoryName {
  /** `https://index.docker.io/v1/` for Docker Hub, the registry host otherwise. */
  indexName: string
  /** The repository inside it, as the index knows it (`ubuntu`, `alice/app`, `team/app`). */
  remoteName: string
  /** True for Docker Hub. */
  hub: boolean
}

/**
 * Splits a repository name (no tag, no digest) into its index and remote name. Hub names keep
 * their familiar form (`ubuntu`), as the V1 index expects; throws InvalidReferenceError.
 */
export function resolveRepositoryName(name: string): RepositoryName {
  const ref = parseNormalizedName(name)
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw new InvalidReferenceError(
      'ERR_REFERENCE_INVALID_FORMAT',
      name,
      'a repository name has no tag or digest',
    )
  }
  const hub = ref.domain === DEFAULT_DOMAIN
  return {
    indexName: hub ? INDEX_SERVER : ref.domain,
    remoteName: hub ? familiarName(ref) : ref.path,
    hub,
  }
}

/** The auth-config key of a domain: `https://index.docker.io/v1/` for Hub, the domain otherwise. */
export function authConfigKey(domain: string): string {
  return domain === DEFAULT_DOMAIN || domain === LEGACY_DEFAULT_DOMAIN ? INDEX_SERVER : domain
}
