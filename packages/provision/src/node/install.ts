import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { createHttpClient, type FetchLike, WharfError } from '@wharf/core-http'
import { downloadToFile, fileSource } from '@wharf/transfer/node'
import type { ProvisionClient } from '../client.js'
import { ProvisionError } from '../errors.js'
import type { BootEnv, Template } from '../models.js'
import { decodeYaml } from '../yaml.js'

/** Why an ISO could not be installed: `type` is the seed's error type (`DOWNLOAD_NOT_ALLOWED` …). */
export class IsoInstallError extends WharfError {
  /** `DOWNLOAD_NOT_ALLOWED`, `DOWNLOAD_NOT_POSSIBLE`, `DOWNLOAD_FAILED`, `ISO_SRC_IS_A_DIR` or `UPLOAD_NOT_POSSIBLE`. */
  readonly type: string
  constructor(type: string, message: string, cause?: unknown) {
    super(`ERR_${type}`, `isos: ${message}`, cause === undefined ? {} : { cause })
    this.type = type
  }
}

/** Options of {@link installISOForBootenv}. */
export interface InstallIsoOptions {
  /** Download `OS.IsoUrl` into the local path when the file is missing (default false). */
  downloadOK?: boolean
  /** Fetch for the download (the download never carries the session's credentials). */
  fetch?: FetchLike
  signal?: AbortSignal
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new IsoInstallError('UPLOAD_NOT_POSSIBLE', `cannot read ${path}`, error)
  }
}

async function download(env: BootEnv, dest: string, options: InstallIsoOptions): Promise<void> {
  const url = env.OS?.IsoUrl
  if (!options.downloadOK) {
    throw new IsoInstallError(
      'DOWNLOAD_NOT_ALLOWED',
      `${env.OS?.IsoFile} is missing and downloads are not allowed`,
    )
  }
  if (!url)
    throw new IsoInstallError(
      'DOWNLOAD_NOT_POSSIBLE',
      `${env.OS?.IsoFile} is missing and the bootenv has no IsoUrl`,
    )
  const plain = createHttpClient({
    baseUrl: url,
    userAgent: 'wharf-provision',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  try {
    await downloadToFile({
      destination: dest,
      resume: false,
      ...(env.OS?.IsoSha256 ? { expected: `sha256:${env.OS.IsoSha256.toLowerCase()}` } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      fetchRange: (range, signal) =>
        plain.request(url, {
          signal,
          ...(range ? { headers: { range: `bytes=${range.start}-${range.end ?? ''}` } } : {}),
        }),
    })
  } catch (error) {
    throw new IsoInstallError(
      'DOWNLOAD_FAILED',
      `downloading ${url}: ${(error as Error).message}`,
      error,
    )
  }
}

/**
 * Makes sure the server has the ISO of a bootenv: nothing to do without `OS.IsoFile` or when
 * `/isos` lists it; otherwise uploads `src` (streamed from disk), downloading it from
 * `OS.IsoUrl` first when it is missing and `downloadOK` is set. Digests are verified when the
 * bootenv names `OS.IsoSha256`.
 */
export async function installISOForBootenv(
  client: ProvisionClient,
  env: BootEnv,
  src: string,
  options: InstallIsoOptions = {},
): Promise<void> {
  const name = env.OS?.IsoFile
  if (!name) return
  if ((await client.listBlobs('isos')).includes(name)) return
  let info = await statOrUndefined(src)
  if (!info) {
    await download(env, src, options)
    info = await statOrUndefined(src)
  }
  if (info?.isDirectory()) throw new IsoInstallError('ISO_SRC_IS_A_DIR', `${src} is a directory`)
  // fileSource gives the ranged-source shape (size + open(start, end)) for a file.
  let source: { size: number; open(start: number, end: number): ReadableStream<Uint8Array> }
  try {
    source = fileSource(src) as typeof source
  } catch (error) {
    throw new IsoInstallError('UPLOAD_NOT_POSSIBLE', `cannot read ${src}`, error)
  }
  await client.uploadISOForBootEnv(
    env,
    { size: source.size, open: () => source.open(0, source.size) },
    name,
  )
}

/** Creates template `id` from a raw file unless the server already has it; returns the template. */
export async function installRawTemplateFromFileWithId(
  client: ProvisionClient,
  src: string,
  id: string,
): Promise<Template> {
  try {
    return await client.getModel('templates', id)
  } catch (error) {
    if (!(error instanceof ProvisionError && error.status === 404)) throw error
  }
  return client.createModel('templates', { ID: id, Contents: await readFile(src, 'utf8') })
}

/** {@link installRawTemplateFromFileWithId} with the file name as the ID. */
export function installRawTemplateFromFile(
  client: ProvisionClient,
  src: string,
): Promise<Template> {
  return installRawTemplateFromFileWithId(client, src, basename(src))
}

/**
 * Installs a bootenv from a YAML or JSON file: returns the server's copy when it exists,
 * otherwise uploads the templates next to it (every file of a sibling `templates/` directory,
 * or the `*.tmpl` files of the same directory) and creates the bootenv.
 */
export async function installBootEnvFromFile(
  client: ProvisionClient,
  src: string,
): Promise<BootEnv> {
  const env = decodeYaml<BootEnv>(await readFile(src))
  if (typeof env !== 'object' || env === null || !env.Name) {
    throw new WharfError('ERR_MODEL', `${src}: not a bootenv with a Name`)
  }
  if (await client.existsModel('bootenvs', env.Name)) return client.getModel('bootenvs', env.Name)
  const dir = dirname(src)
  const templatesDir = join(dir, 'templates')
  const sibling = await statOrUndefined(templatesDir)
  const files = sibling?.isDirectory()
    ? (await readdir(templatesDir)).map((f) => join(templatesDir, f))
    : (await readdir(dir)).filter((f) => f.endsWith('.tmpl')).map((f) => join(dir, f))
  for (const f of files.sort()) {
    if ((await stat(f)).isFile()) await installRawTemplateFromFile(client, f)
  }
  return client.createModel('bootenvs', env)
}
