import type { Handler } from '../cli.js'
import { UsageError } from '../exit.js'
import { MOCKS, startMocks, stopMocks } from '../mocks.js'

export const mock: Handler = async (ctx, names, flags) => {
  const unknown = names.filter((n) => !(n in MOCKS))
  if (unknown.length)
    throw new UsageError(
      `unknown protocol ${unknown.join(', ')} (known: ${Object.keys(MOCKS).join(', ')})`,
    )
  const port = flags.port === undefined ? undefined : Number(flags.port)
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65535)) {
    throw new UsageError(`--port ${flags.port}: not a port number`)
  }
  const mocks = await startMocks(names, port)
  const urls = Object.fromEntries(Object.entries(mocks).map(([k, v]) => [k, v.url]))
  if (ctx.globals.json) ctx.io.stdout.write(`${JSON.stringify(urls)}\n`)
  else
    for (const [name, url] of Object.entries(urls))
      ctx.io.stdout.write(`${name.padEnd(8)} ${url}\n`)
  ctx.info('serving until interrupted (Ctrl-C)')
  await new Promise<void>((resolve) =>
    ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
  )
  await stopMocks(mocks)
}
