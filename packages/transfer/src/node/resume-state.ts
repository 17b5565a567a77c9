import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises'

/** What a kept temporary file holds, so that a later download can continue it. */
export interface ResumeState {
  version: 1
  size: number
  partSize: number
  etag?: string
  expected?: string
  /** Bytes already written of each part, from its start. */
  parts: number[]
}

/** The temp file and its state file beside `destination`. */
export function tempPaths(destination: string): { temp: string; state: string } {
  const temp = `${destination}.wharf-download`
  return { temp, state: `${temp}.json` }
}

/**
 * The saved state when it describes the same object (size, part size, ETag, expected digest)
 * and the temp file is still there; otherwise undefined.
 */
export async function loadState(
  paths: { temp: string; state: string },
  want: Omit<ResumeState, 'version' | 'parts'>,
  partCount: number,
): Promise<ResumeState | undefined> {
  try {
    const saved = JSON.parse(await readFile(paths.state, 'utf8')) as ResumeState
    const file = await stat(paths.temp)
    const same =
      saved.version === 1 &&
      saved.size === want.size &&
      saved.partSize === want.partSize &&
      saved.etag === want.etag &&
      saved.expected === want.expected &&
      Array.isArray(saved.parts) &&
      saved.parts.length === partCount &&
      saved.parts.every(
        (n, i) =>
          Number.isSafeInteger(n) &&
          n >= 0 &&
          n <= Math.min(want.partSize, want.size - i * want.partSize),
      ) &&
      file.isFile()
    return same ? saved : undefined
  } catch {
    return undefined
  }
}

/** Writes the state file (replacing it). */
export async function saveState(path: string, state: ResumeState): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(state))
  await rename(`${path}.tmp`, path)
}

/** Removes the temp file and its state. */
export async function removeTemp(paths: { temp: string; state: string }): Promise<void> {
  await rm(paths.temp, { force: true })
  await rm(paths.state, { force: true })
  await rm(`${paths.state}.tmp`, { force: true })
}
