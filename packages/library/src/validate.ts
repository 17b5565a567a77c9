const PART = '[a-z0-9]+(?:[._-][a-z0-9]+)*'
const PULL_REF = new RegExp(`^(library://)?(${PART}/){0,2}(${PART})(:${PART})?$`)
const PUSH_REF = new RegExp(
  `^(library://)?(${PART}/){2}(${PART})(:[a-z0-9]+(?:[,._-][a-z0-9]+)*)?$`,
)
const REF_PART = new RegExp(`^${PART}$`)
const IMAGE_HASH =
  /^((sha256\.[a-f0-9]{64})|(sif\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))$/

/** True when `ref` can be pulled: one to three lower-case components and at most one tag. */
export function isLibraryPullRef(ref: string): boolean {
  return typeof ref === 'string' && PULL_REF.test(ref)
}

/** True when `ref` can be pushed: exactly `entity/collection/container`, tags comma-separated. */
export function isLibraryPushRef(ref: string): boolean {
  return typeof ref === 'string' && PUSH_REF.test(ref)
}

/** True when `part` is a valid entity, collection or container name. */
export function isRefPart(part: string): boolean {
  return typeof part === 'string' && REF_PART.test(part)
}

/** True for an image's unique hash: `sha256.<64 hex>` or `sif.<uuid>`, lower case. */
export function isImageHash(part: string): boolean {
  return typeof part === 'string' && IMAGE_HASH.test(part)
}

/** The pieces of a library path, as {@link parseLibraryPath} returns them. */
export interface LibraryPath {
  entity: string
  collection: string
  container: string
  tags: string[]
}

/**
 * Splits `[library://][entity/][collection/]container[:tag[,tag…]]` as the seed's
 * `ParseLibraryPath`: more than three components give all-empty results.
 */
export function parseLibraryPath(ref: string): LibraryPath {
  const parts = ref.replace(/^library:\/\//, '').split('/')
  if (parts.length > 3) return { entity: '', collection: '', container: '', tags: [] }
  const [entity, collection, named] = ['', '', ...parts].slice(-3) as [string, string, string]
  const [container, tagList] = named.split(':') as [string, string | undefined]
  return { entity, collection, container, tags: tagList === undefined ? [] : tagList.split(',') }
}
