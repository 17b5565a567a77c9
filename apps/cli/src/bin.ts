#!/usr/bin/env node
import { run } from './cli.js'

const controller = new AbortController()
process.once('SIGINT', () => {
  controller.abort(new Error('interrupted'))
  process.once('SIGINT', () => process.exit(130))
})
const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
}
process.exitCode = await run(process.argv.slice(2), io, controller.signal)
