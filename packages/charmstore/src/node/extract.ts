import { lstat, mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { type ArchiveLimits, InvalidArchiveError, readArchive } from '../zip.js'

/**
 * Extracts an archive into `target`. Every entry is checked first (zip-slip: no absolute
 * paths or `..`; sizes within `limits`; corrupt data) and nothing is written unless all pass.
 * Existing files are never overwritten. Returns the extracted paths, relative to `target`.
 */
export async function extractArchive(
  zip: Uint8Array,
  target: string,
  limits: ArchiveLimits = {},
): Promise<string[]> {
  const files = readArchive(zip, limits)
  const root = resolve(target)
  const plan: Array<[string, Uint8Array]> = []
  for (const [name, data] of files) {
    const abs = resolve(root, name)
    if (!abs.startsWith(root + sep))
      throw new InvalidArchiveError(`entry ${JSON.stringify(name)} escapes the target directory`)
    const exists = await lstat(abs).then(
      () => true,
      () => false,
    )
    if (exists)
      throw new InvalidArchiveError(
        `extracting ${JSON.stringify(name)} would overwrite an existing file`,
      )
    plan.push([abs, data])
  }
  await mkdir(root, { recursive: true })
  for (const [abs, data] of plan) {
    await mkdir(dirname(abs), { recursive: true })
    await writeFile(abs, data, { flag: 'wx' })
  }
  return [...files.keys()]
}
