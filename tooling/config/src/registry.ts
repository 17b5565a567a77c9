import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { startTokenServer, type TokenServer, type TokenUser } from './token-server.js'

/** Finds an executable on PATH (or at an absolute path); undefined when absent. */
export function findExecutable(name: string): string | undefined {
  const candidates = name.includes('/')
    ? [name]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name))
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {
      // keep looking
    }
  }
  return undefined
}

/** The CNCF registry binary (`docker-registry` from Debian, or `registry`), if installed. */
export function registryBinary(): string | undefined {
  return (
    findExecutable(process.env.WHARF_REGISTRY_BIN ?? 'docker-registry') ??
    findExecutable('registry')
  )
}

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** `none` (default), `basic` (htpasswd) or `token` (our own token server). */
  auth?: 'none' | 'basic' | 'token'
  /** Users for basic or token auth (default one user `wharf` / `wharf-secret`). */
  users?: TokenUser[]
  /** Allow DELETE of manifests and blobs (default true). */
  deletes?: boolean
}

/** A registry process on 127.0.0.1 with a temporary storage directory. */
export interface RunningRegistry {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** `127.0.0.1:<port>` */
  host: string
  storage: string
  auth: 'none' | 'basic' | 'token'
  users: TokenUser[]
  tokenServer?: TokenServer
  /** What the registry printed (for diagnostics). */
  log(): string
  /** Stops the process and deletes the storage. */
  close(): Promise<void>
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 15_000
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`registry exited (${child.exitCode}):\n${log()}`)
    try {
      const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) })
      await response.body?.cancel()
      if (response.status === 200 || response.status === 401) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`registry did not answer on ${url} within 15 s:\n${log()}`)
}

/**
 * Starts the CNCF distribution registry (2.8) as a child process on 127.0.0.1 with a fresh
 * filesystem storage, deletes enabled, and optionally htpasswd basic auth or token auth
 * backed by {@link startTokenServer}. Throws when the binary is missing (check
 * {@link registryBinary} first).
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const binary = registryBinary()
  if (!binary) throw new Error('docker-registry is not installed (apt-get install docker-registry)')
  const auth = options.auth ?? 'none'
  const users = options.users ?? [{ username: 'wharf', password: 'wharf-secret' }]
  const dir = mkdtempSync(join(tmpdir(), 'wharf-registry-'))
  const storage = join(dir, 'storage')
  const port = await freePort()
  const lines = [
    'version: 0.1',
    'log: {level: warn, accesslog: {disabled: true}}',
    `storage: {filesystem: {rootdirectory: ${JSON.stringify(storage)}}, delete: {enabled: ${options.deletes ?? true}}}`,
    `http: {addr: "127.0.0.1:${port}", secret: ${randomBytes(16).toString('hex')}}`,
  ]
  let tokenServer: TokenServer | undefined
  if (auth === 'basic') {
    const htpasswd = findExecutable('htpasswd')
    if (!htpasswd) throw new Error('htpasswd is not installed (apt-get install apache2-utils)')
    const entries = users.map((u) =>
      execFileSync(htpasswd, ['-Bbn', u.username, u.password], { encoding: 'utf8' }).trim(),
    )
    writeFileSync(join(dir, 'htpasswd'), `${entries.join('\n')}\n`)
    lines.push(
      `auth: {htpasswd: {realm: wharf-test, path: ${JSON.stringify(join(dir, 'htpasswd'))}}}`,
    )
  } else if (auth === 'token') {
    tokenServer = await startTokenServer({ users })
    writeFileSync(join(dir, 'token-cert.pem'), tokenServer.certificate)
    lines.push(
      `auth: {token: {realm: ${JSON.stringify(tokenServer.realm)}, service: ${tokenServer.service}, issuer: ${tokenServer.issuer}, rootcertbundle: ${JSON.stringify(join(dir, 'token-cert.pem'))}}}`,
    )
  }
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`)
  const child = spawn(binary, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const url = `http://127.0.0.1:${port}`
  const close = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    await tokenServer?.close()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitReady(url, child, () => output)
  } catch (error) {
    await close()
    throw error
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    storage,
    auth,
    users,
    ...(tokenServer ? { tokenServer } : {}),
    log: () => output,
    close,
  }
}
