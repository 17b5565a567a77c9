import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { type Zippable, zipSync } from 'fflate'
import { InvalidArchiveError } from '../zip.js'

/** Directories never put in an archive. */
export const VCS_DIRECTORIES = ['.git', '.bzr', '.hg', '.svn'] as const

/** Options of {@link zipDirectory}. */
export interface ZipDirectoryOptions {
  /** Files at most (default 10 000). */
  maxFiles?: number
  /** Total bytes at most (default 256 MiB). */
  maxTotalSize?: number
}

// Local-time components so that the DOS timestamp fflate writes is the same in every time zone.
const FIXED_TIME = new Date(1980, 0, 1, 0, 0, 0)

/**
 * Zips a charm or bundle directory deterministically: entries in byte order of their paths,
 * a fixed timestamp, Unix modes kept (executable hooks, symlinks stored as links), VCS
 * directories left out. The same tree always gives the same bytes (and SHA-384).
 */
export async function zipDirectory(
  dir: string,
  options: ZipDirectoryOptions = {},
): Promise<Uint8Array> {
  const maxFiles = options.maxFiles ?? 10_000
  const maxTotal = options.maxTotalSize ?? 256 << 20
  const root = await stat(dir).catch((error) => {
    throw new InvalidArchiveError(
      `cannot read directory ${JSON.stringify(dir)}: ${(error as Error).message}`,
      { cause: error },
    )
  })
  if (!root.isDirectory())
    throw new InvalidArchiveError(`${JSON.stringify(dir)} is not a directory`)
  const entries: Zippable = {}
  let files = 0
  let total = 0
  const walk = async (abs: string, rel: string): Promise<void> => {
    const names = (await readdir(abs)).sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1))
    for (const name of names) {
      if ((VCS_DIRECTORIES as readonly string[]).includes(name)) continue
      const path = join(abs, name)
      const zipName = rel ? posix.join(rel, name) : name
      const info = await lstat(path)
      if (++files > maxFiles) throw new InvalidArchiveError(`${dir}: more than ${maxFiles} files`)
      if (info.isDirectory()) {
        await walk(path, zipName)
        continue
      }
      let data: Uint8Array
      if (info.isSymbolicLink()) data = new TextEncoder().encode(await readlink(path))
      else if (info.isFile()) data = await readFile(path)
      else throw new InvalidArchiveError(`${path}: not a regular file, directory or symlink`)
      total += data.byteLength
      if (total > maxTotal) throw new InvalidArchiveError(`${dir}: more than ${maxTotal} bytes`)
      const mode = info.isSymbolicLink() ? 0o120777 : info.mode & 0o111 ? 0o100755 : 0o100644
      entries[zipName] = [data, { mtime: FIXED_TIME, os: 3, attrs: (mode << 16) >>> 0 }]
    }
  }
  await walk(dir, '')
  return zipSync(entries, { level: 6, mtime: FIXED_TIME })
}

/** The archive bytes of a charm or bundle: a directory is zipped ({@link zipDirectory}), a file is read. */
export async function archiveFrom(
  path: string,
  options: ZipDirectoryOptions = {},
): Promise<Uint8Array> {
  const info = await stat(path).catch((error) => {
    throw new InvalidArchiveError(
      `cannot read ${JSON.stringify(path)}: ${(error as Error).message}`,
      { cause: error },
    )
  })
  if (info.isDirectory()) return zipDirectory(path, options)
  const max = options.maxTotalSize ?? 256 << 20
  if (info.size > max)
    throw new InvalidArchiveError(`${path}: ${info.size} bytes, over the limit of ${max}`)
  return new Uint8Array(await readFile(path))
}
