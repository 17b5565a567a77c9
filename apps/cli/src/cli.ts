import { Command, CommanderError, Option } from 'commander'
import { registerGroups } from './commands/index.js'
import { EXIT, exitCodeFor } from './exit.js'
import { type Context, createContext, type GlobalOptions, type Io } from './io.js'
import { VERSION } from './version.js'

/** A command implementation: positional arguments, then the command's own options. */
export type Handler = (ctx: Context, args: string[], options: Record<string, any>) => Promise<void>

/** Builds the program; actions load their modules only when they run. */
export function createProgram(io: Io, signal: AbortSignal): Command {
  const program = new Command('wharf')
    .description(
      'Move software artifacts: OCI and Docker registries, Sylabs library, Juju charm store, Digital Rebar Provision.',
    )
    .version(VERSION, '-V, --version')
    .option('--json', 'machine-readable JSON output')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--debug', 'log requests (secrets redacted) to stderr')
    .option('--plain-http', 'use http:// for registries (automatic for localhost and 127.0.0.0/8)')
    .option('--insecure', 'skip TLS certificate verification')
    .addOption(new Option('--ca-file <path>', 'trust this CA bundle (PEM)'))
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    })
  const bind =
    (load: () => Promise<Record<string, Handler>>, name: string) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command
      const globals = command.optsWithGlobals() as GlobalOptions
      const positional = (args.slice(0, -2) as Array<string | string[] | undefined>)
        .flat()
        .filter((a): a is string => a !== undefined)
      const module = await load()
      await module[name]!(createContext(io, globals, signal), positional, command.opts())
    }
  registerGroups(program, bind)
  for (const command of allCommands(program)) {
    command.exitOverride().showHelpAfterError('(run with --help for usage)')
  }
  return program
}

function* allCommands(command: Command): Generator<Command> {
  for (const sub of command.commands) {
    yield sub
    yield* allCommands(sub)
  }
}

/** Runs the CLI and returns its exit code (0 ok, 1 failure, 2 usage, 3 not found, 4 auth). */
export async function run(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const program = createProgram(io, signal)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return EXIT.ok
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok
      return EXIT.usage
    }
    if (signal.aborted) {
      io.stderr.write('wharf: cancelled\n')
      return 130
    }
    if (exitCodeFor(error) === EXIT.usage) {
      io.stderr.write(`wharf: ${(error as Error).message}\n(run with --help for usage)\n`)
      return EXIT.usage
    }
    const code = exitCodeFor(error)
    io.stderr.write(`wharf: ${(error as Error)?.message ?? String(error)}\n`)
    if (program.opts().debug && (error as Error)?.stack)
      io.stderr.write(`${(error as Error).stack}\n`)
    return code
  }
}
