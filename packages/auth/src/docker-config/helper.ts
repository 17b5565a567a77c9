import { spawn } from 'node:child_process'
import { DockerConfigError } from './errors.js'

/** Credentials as a credential helper stores them. `username` `<token>` marks an identity token. */
export interface HelperCredentials {
  serverURL: string
  username: string
  secret: string
}

/** Options of {@link runCredentialHelper}. */
export interface HelperOptions {
  /** Kill the helper after this many ms (default 30 000: keychains may ask the user). */
  timeout?: number
  /** Environment of the helper (default `process.env`, whose `PATH` finds it). */
  env?: Record<string, string | undefined>
}

/** Largest helper output read. */
const MAX_OUTPUT = 1024 * 1024
const NOT_FOUND = 'credentials not found in native keychain'

const fail = (message: string, cause?: unknown) =>
  new DockerConfigError('ERR_CREDENTIAL_HELPER', message, cause === undefined ? {} : { cause })

/** Runs `docker-credential-<name> <action>` with `input` on stdin; resolves exit code and stdout. */
function run(
  program: string,
  action: string,
  input: string,
  options: HelperOptions,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'ignore'],
      shell: false,
    })
    const chunks: Buffer[] = []
    let size = 0
    let failure: DockerConfigError | undefined
    const timer = setTimeout(() => {
      failure = fail(`${program} ${action} timed out after ${options.timeout ?? 30_000} ms`)
      child.kill('SIGKILL')
    }, options.timeout ?? 30_000)
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_OUTPUT) {
        failure ??= fail(`${program} ${action} wrote more than ${MAX_OUTPUT} bytes`)
        child.kill('SIGKILL')
      } else chunks.push(chunk)
    })
    child.stdin.on('error', () => {}) // a helper that exits without reading stdin
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(
        error.code === 'ENOENT'
          ? fail(`${program} was not found on PATH`, error)
          : fail(`${program} ${action} could not run: ${error.message}`, error),
      )
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      if (failure) reject(failure)
      else resolve({ code, stdout: Buffer.concat(chunks).toString('utf8') })
    })
    child.stdin.end(input)
  })
}

/** Runs a helper's `get`: the stored credentials, or undefined when it has none for `serverUrl`. */
export function runCredentialHelper(
  name: string,
  action: 'get',
  serverUrl: string,
  options?: HelperOptions,
): Promise<HelperCredentials | undefined>
/** Runs a helper's `store`. */
export function runCredentialHelper(
  name: string,
  action: 'store',
  credentials: HelperCredentials,
  options?: HelperOptions,
): Promise<void>
/** Runs a helper's `erase`. */
export function runCredentialHelper(
  name: string,
  action: 'erase',
  serverUrl: string,
  options?: HelperOptions,
): Promise<void>
/** Runs a helper's `list`: server URL → username. */
export function runCredentialHelper(
  name: string,
  action: 'list',
  input?: undefined,
  options?: HelperOptions,
): Promise<Record<string, string>>
/**
 * Talks to `docker-credential-<name>` (found on `PATH`) with the get/store/erase/list
 * protocol over stdin/stdout: no shell, a timeout, bounded output, and no secret in any
 * error. "credentials not found" from `get` is not an error: it resolves undefined.
 */
export async function runCredentialHelper(
  name: string,
  action: 'get' | 'store' | 'erase' | 'list',
  input?: string | HelperCredentials,
  options: HelperOptions = {},
): Promise<unknown> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw fail(`invalid credential helper name ${JSON.stringify(name.slice(0, 100))}`)
  }
  const program = `docker-credential-${name}`
  let stdin: string
  if (action === 'store') {
    const c = input as HelperCredentials
    if (
      !c ||
      typeof c.serverURL !== 'string' ||
      !c.serverURL ||
      typeof c.username !== 'string' ||
      !c.username
    ) {
      throw fail(`${program} store needs a server URL and a username`)
    }
    stdin = JSON.stringify({ ServerURL: c.serverURL, Username: c.username, Secret: c.secret })
  } else if (action === 'list') stdin = 'unused'
  else if (typeof input === 'string' && input.trim()) stdin = input.trim()
  else throw fail(`${program} ${action} needs a server URL`)

  const { code, stdout } = await run(program, action, stdin, options)
  const output = stdout.trim()
  if (code !== 0) {
    if (action === 'get' && output === NOT_FOUND) return undefined
    throw fail(
      `${program} ${action} failed (exit ${code}): ${output.slice(0, 200) || 'no message'}`,
    )
  }
  if (action === 'store' || action === 'erase') return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(output)
  } catch {
    throw fail(`${program} ${action} printed something that is not JSON`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail(`${program} ${action} printed JSON that is not an object`)
  }
  const p = parsed as Record<string, unknown>
  if (action === 'list') {
    return Object.fromEntries(
      Object.entries(p).filter((e): e is [string, string] => typeof e[1] === 'string'),
    )
  }
  if (typeof p.Username !== 'string' || typeof p.Secret !== 'string') {
    throw fail(`${program} get printed credentials without Username and Secret`)
  }
  return {
    serverURL: typeof p.ServerURL === 'string' ? p.ServerURL : stdin,
    username: p.Username,
    secret: p.Secret,
  }
}
