import { constants } from 'node:fs'
import { lstat, mkdir, open } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { JobAction } from '../models.js'
import { PathEscapeError } from './errors.js'

/** Where template actions may be written. */
export interface ExpandRoots {
  /** The per-job working directory: relative paths land here. */
  jobDir: string
  /** Root for absolute paths; without it absolute paths are refused. */
  chrootDir?: string
}

function confined(root: string, path: string): string[] {
  const target = resolve(root, path)
  const rel = relative(root, target)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new PathEscapeError(path, root)
  return rel.split(sep)
}

/**
 * Writes a template action (`Path` set) with mode 0644 and returns the file written. Relative
 * paths are joined to the job directory, absolute ones to `chrootDir`; `..`, symlinked
 * directories or a symlink as the file itself cannot lead outside that root.
 */
export async function expandAction(action: JobAction, roots: ExpandRoots): Promise<string> {
  const path = action.Path
  if (path.includes('\0')) throw new PathEscapeError(path, roots.jobDir)
  const absolute = isAbsolute(path)
  if (absolute && !roots.chrootDir) throw new PathEscapeError(path, roots.jobDir)
  const root = absolute ? (roots.chrootDir as string) : roots.jobDir
  const parts = confined(root, absolute ? `.${path}` : path)
  let dir = root
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part)
    const info = await lstat(dir).catch(() => undefined)
    if (!info) await mkdir(dir, { mode: 0o755 })
    else if (info.isSymbolicLink() || !info.isDirectory()) throw new PathEscapeError(path, root)
  }
  const file = join(dir, parts.at(-1) as string)
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW
  const handle = await open(file, flags, 0o644).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ELOOP') throw new PathEscapeError(path, root)
    throw error
  })
  try {
    await handle.writeFile(action.Content)
  } finally {
    await handle.close()
  }
  return file
}
