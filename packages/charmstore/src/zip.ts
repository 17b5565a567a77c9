import { WharfError } from '@wharf/core-http'
import { unzipSync } from 'fflate'

/** A zip archive is corrupt, unsafe (paths escaping the root) or over a size limit. */
export class InvalidArchiveError extends WharfError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_INVALID_ARCHIVE', message, options)
  }
}

/** Limits applied when reading an archive; they bound memory. */
export interface ArchiveLimits {
  /** Entries at most (default 10 000). */
  maxFiles?: number
  /** Uncompressed bytes of one file at most (default 64 MiB). */
  maxFileSize?: number
  /** Uncompressed bytes of all files together at most (default 256 MiB). */
  maxTotalSize?: number
}

const DEFAULTS = { maxFiles: 10_000, maxFileSize: 64 << 20, maxTotalSize: 256 << 20 }

/**
 * Normalizes a path inside an archive (`a/./b/../c` → `a/c`); undefined when it is absolute,
 * climbs above the root with `..`, has a drive letter, a backslash or a control character.
 */
export function safeArchivePath(name: string): string | undefined {
  if (
    typeof name !== 'string' ||
    /[\\\p{Cc}]/u.test(name) ||
    name.startsWith('/') ||
    /^[a-zA-Z]:/.test(name)
  ) {
    return undefined
  }
  const out: string[] = []
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue
    if (part !== '..') out.push(part)
    else if (out.pop() === undefined) return undefined
  }
  return out.length ? out.join('/') : undefined
}

/** Walks the entries, validating names and sizes; decompresses those `select` accepts. */
function scan(
  zip: Uint8Array,
  limits: ArchiveLimits,
  select: (name: string) => boolean,
): { names: string[]; files: Map<string, Uint8Array> } {
  const l = { ...DEFAULTS, ...limits }
  let problem: string | undefined
  let total = 0
  const names: string[] = []
  const declared = new Map<string, number>()
  let raw: Record<string, Uint8Array>
  try {
    raw = unzipSync(zip, {
      filter(file) {
        if (problem || file.name.endsWith('/')) return false
        const name = safeArchivePath(file.name)
        if (names.length >= l.maxFiles) problem = `more than ${l.maxFiles} files`
        else if (name === undefined)
          problem = `unsafe entry name ${JSON.stringify(file.name.slice(0, 200))}`
        else if (file.originalSize > l.maxFileSize) {
          problem = `entry ${JSON.stringify(name)} is ${file.originalSize} bytes, over the limit of ${l.maxFileSize}`
        } else {
          total += file.originalSize
          if (total > l.maxTotalSize)
            problem = `archive contents exceed the limit of ${l.maxTotalSize} bytes`
        }
        if (problem || name === undefined) return false
        names.push(name)
        if (!select(name)) return false
        declared.set(file.name, file.originalSize)
        return true
      },
    })
  } catch (error) {
    throw new InvalidArchiveError(`corrupt zip archive: ${(error as Error).message}`, {
      cause: error,
    })
  }
  if (problem) throw new InvalidArchiveError(`unsafe archive: ${problem}`)
  const files = new Map<string, Uint8Array>()
  for (const [name, data] of Object.entries(raw)) {
    if (data.byteLength !== declared.get(name)) {
      throw new InvalidArchiveError(
        `corrupt zip archive: entry ${JSON.stringify(name)} does not match its declared size`,
      )
    }
    files.set(safeArchivePath(name)!, data)
  }
  return { names, files }
}

/**
 * Reads every file of a zip archive into memory (directories skipped) within `limits`.
 * Unsafe entry names (zip-slip), oversize entries and corrupt data are InvalidArchiveError.
 */
export function readArchive(zip: Uint8Array, limits: ArchiveLimits = {}): Map<string, Uint8Array> {
  return scan(zip, limits, () => true).files
}

/** The normalized names of the files in an archive (validated, nothing decompressed). */
export function listArchive(zip: Uint8Array, limits: ArchiveLimits = {}): string[] {
  return scan(zip, limits, () => false).names
}

/** One file of an archive; InvalidArchiveError when absent, unsafe or too big. */
export function readArchiveFile(
  zip: Uint8Array,
  path: string,
  limits: ArchiveLimits = {},
): Uint8Array {
  const wanted = safeArchivePath(path)
  if (wanted === undefined) throw new InvalidArchiveError(`unsafe path ${JSON.stringify(path)}`)
  const file = scan(zip, limits, (name) => name === wanted).files.get(wanted)
  if (!file)
    throw new InvalidArchiveError(`file ${JSON.stringify(wanted)} not found in the archive`)
  return file
}
