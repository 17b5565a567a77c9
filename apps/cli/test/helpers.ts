import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The built CLI entry. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

/** What a CLI run printed and how it exited. */
export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the built `wharf` as a subprocess, with optional stdin and extra environment. */
export function wharf(
  args: string[],
  options: { input?: string; env?: Record<string, string>; timeout?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(options.input ?? '')
  })
}

/** `wharf --json mock <protocols…>` running in a subprocess, with the URLs it printed. */
export async function startMock(
  ...protocols: string[]
): Promise<{ urls: Record<string, string>; stop(): void }> {
  const child: ChildProcess = spawn(process.execPath, [BIN, '--json', 'mock', ...protocols], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const line = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('wharf mock did not start')), 20_000)
    child.stdout!.on('data', (d) => {
      out += d
      if (out.includes('\n')) {
        clearTimeout(timer)
        resolve(out.split('\n')[0]!)
      }
    })
    child.on('exit', (code) => reject(new Error(`wharf mock exited ${code}`)))
  })
  return { urls: JSON.parse(line), stop: () => void child.kill('SIGINT') }
}
