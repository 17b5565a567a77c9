import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import { WharfError } from '@wharf/core-http'
import { isPrefix, keyOf } from '../keys.js'
import type { Content, ContentMetaData, Prefix } from '../models.js'
import { decodeYaml, pretty } from '../yaml.js'

/** A directory tree could not be turned into a bundle, or a bundle into a tree. */
export class BundleError extends WharfError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_BUNDLE', message, options)
  }
}

const META_FIELDS = [
  'Name',
  'Description',
  'Documentation',
  'Version',
  'Source',
  'Type',
  'RequiredFeatures',
] as const
const DATA = new Set(['.yaml', '.yml', '.json'])
const MAX_FILES = 10_000
const MAX_FILE = 16 * 1024 * 1024

/** Options of {@link bundleContent}. */
export interface BundleOptions {
  /** Meta values that override the `._<Field>.meta` files. */
  meta?: Partial<ContentMetaData>
}

async function readSmall(path: string): Promise<string> {
  const info = await stat(path)
  if (info.size > MAX_FILE) throw new BundleError(`${path}: larger than ${MAX_FILE} bytes`)
  return readFile(path, 'utf8')
}

async function readMeta(
  src: string,
  overrides: Partial<ContentMetaData>,
): Promise<ContentMetaData> {
  const meta: Record<string, string> = {}
  for (const field of META_FIELDS) {
    try {
      meta[field] = (await readSmall(join(src, `._${field}.meta`))).trim()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      if (field !== 'RequiredFeatures') meta[field] = field === 'Type' ? 'dynamic' : 'Unspecified'
    }
  }
  return { ...meta, ...overrides } as ContentMetaData
}

async function readSection(dir: string, prefix: Prefix, budget: { files: number }) {
  const items: Record<string, unknown> = {}
  for (const name of (await readdir(dir)).sort()) {
    if (--budget.files < 0) throw new BundleError(`more than ${MAX_FILES} files`)
    const path = join(dir, name)
    if (!(await stat(path)).isFile()) throw new BundleError(`${path}: sections hold files only`)
    let item: unknown
    if (prefix === 'templates' && !DATA.has(extname(name))) {
      item = { ID: decodeURIComponent(name), Contents: await readSmall(path) }
    } else if (DATA.has(extname(name))) {
      try {
        item = decodeYaml(await readSmall(path))
      } catch (error) {
        throw new BundleError(`${path}: ${(error as Error).message}`, { cause: error })
      }
    } else throw new BundleError(`${path}: expected a .yaml, .yml or .json file`)
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new BundleError(`${path}: not an object`)
    }
    const key = keyOf(prefix, item)
    if (!key) throw new BundleError(`${path}: the object has no key`)
    if (Object.hasOwn(items, key)) throw new BundleError(`${path}: duplicate ${prefix} key ${key}`)
    items[key] = item
  }
  return items
}

/**
 * Reads a content bundle from a directory tree: `._<Field>.meta` files for the metadata, one
 * sub-directory per section (`tasks/`, `bootenvs/` …) with an item per `.yaml`/`.yml`/`.json`
 * file, and templates as raw files named by their ID.
 */
export async function bundleContent(src: string, options: BundleOptions = {}): Promise<Content> {
  const meta = await readMeta(src, options.meta ?? {})
  const sections: Record<string, Record<string, unknown>> = {}
  const budget = { files: MAX_FILES }
  for (const entry of (await readdir(src, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (entry.isFile() && entry.name.startsWith('._') && entry.name.endsWith('.meta')) continue
    if (!entry.isDirectory() || !isPrefix(entry.name)) {
      throw new BundleError(
        `${join(src, entry.name)}: not a section directory of a known model type`,
      )
    }
    sections[entry.name] = await readSection(join(src, entry.name), entry.name, budget)
  }
  return { meta, sections }
}

function fileName(key: string): string {
  return encodeURIComponent(key).replace(/^\.+/, (dots) => '%2E'.repeat(dots.length))
}

/**
 * Writes a content bundle as a directory tree that {@link bundleContent} reads back. `dst`
 * must not exist yet; the tree is built next to it and renamed into place, so a failure
 * never leaves a partial tree.
 */
export async function unbundleContent(content: Content, dst: string): Promise<void> {
  if (typeof content !== 'object' || content === null || typeof content.meta !== 'object') {
    throw new BundleError('not a content bundle (no meta)')
  }
  const exists = await stat(dst).then(
    () => true,
    () => false,
  )
  if (exists) throw new BundleError(`${dst} already exists`)
  await mkdir(dirname(dst), { recursive: true })
  const tmp = await mkdtemp(join(dirname(dst), `.${basename(dst)}-`))
  try {
    for (const field of META_FIELDS) {
      const value = content.meta[field]
      if (typeof value === 'string' && value !== '')
        await writeFile(join(tmp, `._${field}.meta`), value)
    }
    for (const [section, items] of Object.entries(content.sections ?? {})) {
      if (!isPrefix(section)) throw new BundleError(`unknown section ${JSON.stringify(section)}`)
      await mkdir(join(tmp, section))
      for (const [key, item] of Object.entries(items)) {
        const raw =
          section === 'templates' && typeof (item as { Contents?: unknown }).Contents === 'string'
        const path = join(tmp, section, raw ? fileName(key) : `${fileName(key)}.yaml`)
        await writeFile(path, raw ? (item as { Contents: string }).Contents : pretty('yaml', item))
      }
    }
    await rename(tmp, dst)
  } catch (error) {
    await rm(tmp, { recursive: true, force: true })
    throw error
  }
}
