import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { JobAction } from '../models.js'

/** A safe search path for scripts (the agent's own PATH is not passed on). */
export const SCRIPT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** How to run one script action. */
export interface PerformOptions {
  /** Working directory; the script file is written here too. */
  jobDir: string
  /** Prefix of the script's file name (the task name). */
  task: string
  /** The complete environment of the script (nothing else is inherited). */
  env: Record<string, string>
  /** Kill the script (and its process group) after this many ms. */
  timeout: number
  /** Kills the script when aborted. */
  signal?: AbortSignal
  /** Receives stdout and stderr chunks; the streams wait while it is busy. */
  output(chunk: Uint8Array): Promise<void>
}

/** How a script ended. */
export interface PerformResult {
  /** The exit code, or null when it died from a signal or could not start. */
  code: number | null
  /** Set when it was killed at its timeout. */
  timedOut: boolean
  /** Set when it was killed because of the abort signal. */
  aborted: boolean
  /** Set when it could not be started (e.g. no interpreter). */
  startError?: Error
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_')

async function drain(stream: Readable | null, output: PerformOptions['output']): Promise<void> {
  if (!stream) return
  for await (const chunk of stream) await output(chunk as Uint8Array)
}

/**
 * Writes a script action to `<jobDir>/<task>-<name>` (mode 0700) and runs it as a child process
 * in its own process group, with `Meta.Interpreter` when set (else directly, so it needs a
 * `#!` line), the given environment only, the job directory as cwd, and a timeout after which
 * the whole group gets SIGTERM and, 2 s later, SIGKILL.
 */
export async function performAction(
  action: JobAction,
  options: PerformOptions,
): Promise<PerformResult> {
  const file = join(options.jobDir, `${safeName(options.task)}-${safeName(action.Name)}`)
  await writeFile(file, action.Content, { mode: 0o700 })
  const interpreter = action.Meta?.Interpreter
  const child = spawn(interpreter || file, interpreter ? [file] : [], {
    cwd: options.jobDir,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const result: PerformResult = { code: null, timedOut: false, aborted: false }
  let hardKill: ReturnType<typeof setTimeout> | undefined
  const kill = (why: 'timedOut' | 'aborted') => {
    result[why] = true
    const group = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig)
      } catch {}
    }
    group('SIGTERM')
    hardKill = setTimeout(() => group('SIGKILL'), 2000)
  }
  const timer = setTimeout(() => kill('timedOut'), options.timeout)
  const onAbort = () => kill('aborted')
  options.signal?.addEventListener('abort', onAbort, { once: true })
  if (options.signal?.aborted) onAbort()
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      result.startError = error
      resolve()
    })
    child.once('close', (code) => {
      result.code = code
      resolve()
    })
  })
  try {
    await Promise.all([
      drain(child.stdout, options.output),
      drain(child.stderr, options.output),
      exited,
    ])
  } finally {
    clearTimeout(timer)
    clearTimeout(hardKill)
    options.signal?.removeEventListener('abort', onAbort)
  }
  if (result.timedOut || result.aborted) result.code = null
  return result
}
