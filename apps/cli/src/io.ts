/** Where a command reads and writes; tests pass their own. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  stdin: NodeJS.ReadableStream
  env: NodeJS.ProcessEnv
}

/** Options every command accepts. */
export interface GlobalOptions {
  json?: boolean
  quiet?: boolean
  debug?: boolean
  plainHttp?: boolean
  insecure?: boolean
  caFile?: string
}

/** What a command action receives besides its own arguments. */
export interface Context {
  io: Io
  globals: GlobalOptions
  /** Aborted on Ctrl-C. */
  signal: AbortSignal
  /** Prints data: JSON with --json, else the human rendering; nothing with -q unless JSON. */
  print(data: unknown, human?: () => string): void
  /** Prints a status line on stderr unless -q. */
  info(line: string): void
  /** Receives redacted request lines with --debug. */
  debug?: (line: string) => void
}

/** Builds the context for one run. */
export function createContext(io: Io, globals: GlobalOptions, signal: AbortSignal): Context {
  return {
    io,
    globals,
    signal,
    print(data, human) {
      if (globals.json) io.stdout.write(`${JSON.stringify(data, null, 2)}\n`)
      else if (!globals.quiet) io.stdout.write(`${human ? human() : String(data)}\n`)
    },
    info(line) {
      if (!globals.quiet && !globals.json) io.stderr.write(`${line}\n`)
    },
    ...(globals.debug ? { debug: (line: string) => void io.stderr.write(`debug: ${line}\n`) } : {}),
  }
}
