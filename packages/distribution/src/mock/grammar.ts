/** Repository name grammar (OCI distribution-spec): lowercase components joined by `/`. */
const NAME_PATTERN =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/
/** Tag grammar: at most 128 characters, not starting with `.` or `-`. */
const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/
/** Digest grammar from the image-spec (`algorithm:encoded`). */
const DIGEST_PATTERN = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/

/** Longest repository name the mock accepts. */
const MAX_NAME_LENGTH = 255

/** True when `name` is a valid repository name. */
export function isName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name)
}

/** True when `tag` is a valid tag. */
export function isTag(tag: string): boolean {
  return TAG_PATTERN.test(tag)
}

/** True when `digest` matches the digest grammar (the algorithm may still be unknown). */
export function isDigest(digest: string): boolean {
  return DIGEST_PATTERN.test(digest)
}
