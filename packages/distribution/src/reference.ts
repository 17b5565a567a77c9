import { WharfError } from '@wharf/core-http'

/** A parsed image reference: `[registry/]repository[:tag][@digest]`. */
export interface Reference {
  /** Registry host with optional port (`localhost:5000`, `[::1]:5000`); '' when the input names none. */
  registry: string
  /** Repository path inside the registry (`library/ubuntu`). */
  repository: string
  tag?: string
  digest?: string
}

/** Which rule of the reference grammar an input broke. */
export type ReferenceRule =
  | 'ERR_REFERENCE_INVALID_FORMAT'
  | 'ERR_REFERENCE_NAME_EMPTY'
  | 'ERR_REFERENCE_NAME_UPPERCASE'
  | 'ERR_REFERENCE_NAME_TOO_LONG'
  | 'ERR_REFERENCE_INVALID_TAG'
  | 'ERR_REFERENCE_INVALID_DIGEST'

/** An image reference, repository name, tag or digest broke the grammar; `code` names the rule. */
export class InvalidReferenceError extends WharfError {
  /** The rejected input, cut to 300 characters. */
  readonly input: string
  constructor(code: ReferenceRule, input: string, reason: string) {
    const text = String(input).slice(0, 300)
    super(code, `invalid reference ${JSON.stringify(text)}: ${reason}`)
    this.input = text
  }
}

/** Longest name (registry + '/' + repository) the reference grammar allows. */
export const MAX_NAME_LENGTH = 255

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`)
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
)
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
const HEX_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 }

/** True when `name` is a valid repository name (lower-case components, `.`/`_`/`__`/`-` separators). */
export function isValidRepository(name: string): boolean {
  return typeof name === 'string' && name.length <= MAX_NAME_LENGTH && REPOSITORY.test(name)
}

/** True when `tag` is a valid tag (`[\w][\w.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return typeof tag === 'string' && TAG.test(tag)
}

/**
 * True when `digest` follows the OCI digest grammar and, for sha256/sha384/sha512, has the
 * right number of lower-case hex characters.
 */
export function isValidDigest(digest: string): boolean {
  if (typeof digest !== 'string' || !DIGEST.test(digest)) return false
  const [algorithm, encoded] = digest.split(':') as [string, string]
  const length = HEX_LENGTHS[algorithm]
  return length === undefined || (encoded.length === length && /^[a-f0-9]+$/.test(encoded))
}

/** Throws InvalidReferenceError unless `name` is a valid repository name. */
export function checkRepository(name: string, input = name): void {
  if (!name)
    throw new InvalidReferenceError('ERR_REFERENCE_NAME_EMPTY', input, 'repository name is empty')
  if (!REPOSITORY.test(name)) {
    if (REPOSITORY.test(name.toLowerCase())) {
      throw new InvalidReferenceError(
        'ERR_REFERENCE_NAME_UPPERCASE',
        input,
        `repository name ${JSON.stringify(name)} must be lower-case`,
      )
    }
    throw new InvalidReferenceError(
      'ERR_REFERENCE_INVALID_FORMAT',
      input,
      `repository name ${JSON.stringify(name)} must be lower-case alphanumeric components separated by "/", joined inside by ".", "_", "__" or dashes`,
    )
  }
}

/** Throws InvalidReferenceError unless `tag` is a valid tag. */
export function checkTag(tag: string, input = tag): void {
  if (!isValidTag(tag)) {
    throw new InvalidReferenceError(
      'ERR_REFERENCE_INVALID_TAG',
      input,
      `tag ${JSON.stringify(tag)} must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`,
    )
  }
}

/** Throws InvalidReferenceError unless `digest` is a valid digest. */
export function checkDigest(digest: string, input = digest): void {
  if (!isValidDigest(digest)) {
    throw new InvalidReferenceError(
      'ERR_REFERENCE_INVALID_DIGEST',
      input,
      `digest ${JSON.stringify(digest)} must be "<algorithm>:<encoded>" (sha256 needs 64 lower-case hex characters)`,
    )
  }
}

/**
 * Parses `[registry/]repository[:tag][@digest]` with the grammar of distribution/reference's
 * `Parse`: the first path component is the registry when it is a host name, IPv4 address or
 * bracketed IPv6 address (optional port) followed by `/`. No Docker Hub normalization.
 */
export function parseReference(input: string): Reference {
  if (typeof input !== 'string' || input === '') {
    throw new InvalidReferenceError(
      'ERR_REFERENCE_NAME_EMPTY',
      String(input ?? ''),
      'empty reference',
    )
  }
  let rest = input
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    checkDigest(digest, input)
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon >= 0 && !rest.slice(colon + 1).includes('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    checkTag(tag, input)
  }
  if (rest === '')
    throw new InvalidReferenceError('ERR_REFERENCE_NAME_EMPTY', input, 'name is empty')
  let registry = ''
  let repository = rest
  const slash = rest.indexOf('/')
  if (slash >= 0 && DOMAIN.test(rest.slice(0, slash))) {
    registry = rest.slice(0, slash)
    repository = rest.slice(slash + 1)
    if (!repository) {
      throw new InvalidReferenceError(
        'ERR_REFERENCE_INVALID_FORMAT',
        input,
        'no repository after the registry',
      )
    }
  }
  checkRepository(repository, input)
  if (rest.length > MAX_NAME_LENGTH) {
    throw new InvalidReferenceError(
      'ERR_REFERENCE_NAME_TOO_LONG',
      input,
      `name is ${rest.length} characters, more than ${MAX_NAME_LENGTH}`,
    )
  }
  return {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  }
}

/** The canonical string of a reference: `registry/repository:tag@digest` (absent parts left out). */
export function formatReference(reference: Reference): string {
  const name = reference.registry
    ? `${reference.registry}/${reference.repository}`
    : reference.repository
  return `${name}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`
}

/** Tag or digest: what `/manifests/<reference>` accepts. Throws InvalidReferenceError otherwise. */
export function checkManifestReference(ref: string): void {
  if (isValidDigest(ref) || isValidTag(ref)) return
  if (ref.includes(':')) checkDigest(ref)
  checkTag(ref)
}
