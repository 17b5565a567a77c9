import { lstat, mkdir, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { DockerConfigError } from './errors.js'

/** One `auths` entry of a docker config file. Unknown fields are kept. */
export interface DockerAuthEntry {
  /** base64 of `username:password`. */
  auth?: string
  username?: string
  password?: string
  /** An identity (refresh) token for the OAuth2 token flow. */
  identitytoken?: string
  /** A bearer token sent to the registry as it is. */
  registrytoken?: string
  email?: string
  [key: string]: unknown
}

/** The docker CLI's `config.json`; every key other than these is kept as it was. */
export interface DockerConfig {
  auths?: Record<string, DockerAuthEntry>
  /** The default credential helper (`docker-credential-<credsStore>`). */
  credsStore?: string
  /** Credential helpers per registry key. */
  credHelpers?: Record<string, string>
  [key: string]: unknown
}

/** Where to look for files; defaults come from the process. */
export interface DockerConfigLocation {
  /** Home directory (default `os.homedir()`), for `~/.docker` and the legacy `~/.dockercfg`. */
  home?: string
  /** Environment (default `process.env`), for `DOCKER_CONFIG`. */
  env?: Record<string, string | undefined>
}

/** The Docker Hub key in `auths` and for credential helpers. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/'
/** Largest config file read. */
const MAX_CONFIG = 4 * 1024 * 1024

/** The config directory: `dir`, else `$DOCKER_CONFIG`, else `~/.docker`. */
export function dockerConfigDir(dir?: string, location: DockerConfigLocation = {}): string {
  const env = location.env ?? process.env
  return dir ?? env.DOCKER_CONFIG ?? join(location.home ?? homedir(), '.docker')
}

async function readBounded(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path)
    if (info.size > MAX_CONFIG) {
      throw new DockerConfigError('ERR_DOCKER_CONFIG', `${path} is larger than ${MAX_CONFIG} bytes`)
    }
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    if (error instanceof DockerConfigError) throw error
    throw new DockerConfigError(
      'ERR_DOCKER_CONFIG',
      `cannot read ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
}

function parseObject(text: string, path: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new DockerConfigError('ERR_DOCKER_CONFIG', `${path} is not valid JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DockerConfigError('ERR_DOCKER_CONFIG', `${path} does not hold a JSON object`)
  }
  return value as Record<string, unknown>
}

/** The legacy `~/.dockercfg`: a JSON map of entries, or the pre-JSON `auth = …` / `email = …` text. */
function parseLegacy(text: string, path: string): DockerConfig {
  if (text.trimStart().startsWith('{'))
    return { auths: parseObject(text, path) as DockerConfig['auths'] }
  const lines = text.split(/\r?\n/)
  if (lines.length < 2 || !lines[1])
    throw new DockerConfigError('ERR_DOCKER_CONFIG', `${path}: the auth config file is empty`)
  const value = (line: string) => {
    const at = line.indexOf(' = ')
    if (at < 0)
      throw new DockerConfigError('ERR_DOCKER_CONFIG', `${path}: invalid auth config file`)
    return line.slice(at + 3).trim()
  }
  return { auths: { [DOCKER_HUB_KEY]: { auth: value(lines[0]!), email: value(lines[1]!) } } }
}

/**
 * Reads `<dir>/config.json` (`dir` defaults to `$DOCKER_CONFIG`, then `~/.docker`). When it
 * does not exist and no `dir` was given, the legacy `~/.dockercfg` is read instead; with
 * neither, the config is empty. Unknown keys are kept so that {@link saveDockerConfig}
 * writes them back.
 */
export async function loadDockerConfig(
  dir?: string,
  location: DockerConfigLocation = {},
): Promise<DockerConfig> {
  const path = join(dockerConfigDir(dir, location), 'config.json')
  const text = await readBounded(path)
  if (text !== undefined) return parseObject(text, path) as DockerConfig
  if (dir !== undefined) return {}
  const legacy = join(location.home ?? homedir(), '.dockercfg')
  const old = await readBounded(legacy)
  return old === undefined ? {} : parseLegacy(old, legacy)
}

/**
 * Writes `<dir>/config.json` atomically: a temp file (mode 0600) in the same directory, synced
 * and renamed over the target (through a symlink to its real file). The directory is created
 * with mode 0700. Keys the caller did not touch, including unknown ones, are written as given.
 */
export async function saveDockerConfig(
  config: DockerConfig,
  dir?: string,
  location: DockerConfigLocation = {},
): Promise<string> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new DockerConfigError('ERR_DOCKER_CONFIG', 'the docker config must be an object')
  }
  let text: string
  try {
    text = `${JSON.stringify(config, null, '\t')}\n`
  } catch (error) {
    throw new DockerConfigError(
      'ERR_DOCKER_CONFIG',
      'the docker config cannot be written as JSON',
      { cause: error },
    )
  }
  const configDir = dockerConfigDir(dir, location)
  await mkdir(configDir, { recursive: true, mode: 0o700 })
  let target = join(configDir, 'config.json')
  try {
    if ((await lstat(target)).isSymbolicLink()) target = await realpath(target)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`)
  const file = await open(temp, 'wx', 0o600)
  try {
    await file.writeFile(text)
    await file.sync()
    await file.close()
    await rename(temp, target)
  } catch (error) {
    await file.close().catch(() => {})
    await unlink(temp).catch(() => {})
    throw new DockerConfigError(
      'ERR_DOCKER_CONFIG',
      `cannot write ${target}: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
  return target
}
