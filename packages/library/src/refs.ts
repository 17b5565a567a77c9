import { LibraryError } from './errors.js'
import { type LibraryRef, parseAmbiguousLibraryRef } from './reference.js'
import { isLibraryPushRef, parseLibraryPath } from './validate.js'

/** An image reference: `library://…` text, a parsed {@link LibraryRef}, or `path[:tag]`. */
export type ImageRefInput = string | LibraryRef

function invalid(message: string): never {
  throw new LibraryError('ERR_INVALID_REF', message)
}

/**
 * The `path:tag` the API wants for an image reference (tag `latest` when none). A reference
 * naming a host must name the library's own host; only one tag may be given.
 */
export function imageRef(input: ImageRefInput, base: URL): { path: string; tag: string } {
  let ref: LibraryRef
  if (typeof input === 'string' && !/^library:/i.test(input)) {
    const [path = '', tag, extra] = input.split(':')
    if (extra !== undefined)
      invalid(`image reference ${JSON.stringify(input)} has more than one ":"`)
    ref = { host: '', path: path.replace(/^\//, ''), tags: tag === undefined ? null : [tag] }
  } else if (typeof input === 'string') ref = parseAmbiguousLibraryRef(input)
  else if (typeof input === 'object' && input !== null && typeof input.path === 'string')
    ref = input
  else return invalid('image reference must be a string or a LibraryRef')
  if (ref.path === '' || ref.path.includes(':')) {
    invalid(`image reference ${JSON.stringify(input)} has no valid path`)
  }
  if (ref.host !== '' && ref.host.toLowerCase() !== base.host.toLowerCase()) {
    throw new LibraryError(
      'ERR_HOST_MISMATCH',
      `image reference names host ${ref.host}, but this client talks to ${base.host}`,
    )
  }
  if ((ref.tags?.length ?? 0) > 1) {
    invalid(`image reference ${JSON.stringify(input)} names ${ref.tags!.length} tags; give one`)
  }
  const tag = ref.tags?.[0] ?? 'latest'
  if (tag === '') invalid(`image reference ${JSON.stringify(input)} has an empty tag`)
  return { path: ref.path, tag }
}

/** Entity, collection and container of a push path (`[library://]entity/collection/container`). */
export function pushPath(path: string): { entity: string; collection: string; container: string } {
  if (
    typeof path !== 'string' ||
    !isLibraryPushRef(path) ||
    path.replace(/^library:\/\//, '').includes(':')
  ) {
    invalid(
      `malformed image path ${JSON.stringify(path)}: expected entity/collection/container, lower case, without tags`,
    )
  }
  const { entity, collection, container } = parseLibraryPath(path)
  return { entity, collection, container }
}
