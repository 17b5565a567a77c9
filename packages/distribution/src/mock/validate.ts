import { unverifiable } from './digest.js'
import { fail } from './errors.js'
import { isDigest, isName, isTag } from './grammar.js'

/** A 400 NAME_INVALID answer when `name` breaks the repository-name grammar. */
export function checkName(name: string): Response | undefined {
  if (isName(name)) return undefined
  return fail(400, 'NAME_INVALID', `invalid repository name ${JSON.stringify(name)}`, { name })
}

/**
 * Why a digest given by a client is malformed (bad grammar, or a known algorithm with a wrong
 * encoding); undefined when it is well formed. Unknown algorithms are well formed.
 */
export function malformedDigest(digest: string): string | undefined {
  if (!isDigest(digest)) return `invalid digest ${JSON.stringify(digest)}`
  const problem = unverifiable(digest)
  return problem?.startsWith('unsupported') ? undefined : problem
}

/** A 400 DIGEST_INVALID answer for a digest the registry must verify and cannot. */
export function checkVerifiable(digest: string | null): Response | undefined {
  if (digest === null) return fail(400, 'DIGEST_INVALID', 'the digest parameter is required')
  const problem = isDigest(digest)
    ? unverifiable(digest)
    : `invalid digest ${JSON.stringify(digest)}`
  return problem ? fail(400, 'DIGEST_INVALID', problem, { digest }) : undefined
}

/** A manifest reference: a tag, a digest, or a 400 answer for anything else. */
export function parseReference(
  reference: string,
): { tag: string } | { digest: string } | { error: Response } {
  if (isTag(reference)) return { tag: reference }
  if (!reference.includes(':')) {
    return { error: fail(400, 'TAG_INVALID', `invalid tag ${JSON.stringify(reference)}`) }
  }
  const problem = malformedDigest(reference)
  return problem ? { error: fail(400, 'DIGEST_INVALID', problem) } : { digest: reference }
}
