// A fake `docker-credential-<name>` helper, written from shared/reference/docker-registry.md §8:
// a Node script that keeps credentials in a JSON file and logs each call (action and server
// URL, never the secret). Installed in a temporary bin directory put first on PATH for this
// test process only.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

const script = (body: string) => `#!${process.execPath}\n${body}\n`

const TEST_HELPER = `
const fs = require('node:fs')
const store = process.env.WHARF_HELPER_STORE
const log = process.env.WHARF_HELPER_LOG
const action = process.argv[2]
let input = ''
process.stdin.on('data', (c) => (input += c))
process.stdin.on('end', () => {
  const data = fs.existsSync(store) ? JSON.parse(fs.readFileSync(store, 'utf8')) : {}
  const fail = (m) => { process.stdout.write(m + '\\n'); process.exit(1) }
  const save = () => fs.writeFileSync(store, JSON.stringify(data))
  const server = input.trim()
  fs.appendFileSync(log, JSON.stringify({ action, server: action === 'store' ? JSON.parse(input).ServerURL : action === 'list' ? null : server }) + '\\n')
  if (action === 'get') {
    if (!server) fail('no credentials server URL')
    const c = data[server]
    if (!c) fail('credentials not found in native keychain')
    process.stdout.write(JSON.stringify({ ServerURL: server, Username: c.Username, Secret: c.Secret }) + '\\n')
  } else if (action === 'store') {
    const c = JSON.parse(input)
    if (!c.ServerURL) fail('no credentials server URL')
    if (!c.Username) fail('no credentials username')
    data[c.ServerURL] = { Username: c.Username, Secret: c.Secret }
    save()
  } else if (action === 'erase') {
    if (!data[server]) fail('credentials not found in native keychain')
    delete data[server]
    save()
  } else if (action === 'list') {
    const out = {}
    for (const [k, v] of Object.entries(data)) out[k] = v.Username
    process.stdout.write(JSON.stringify(out) + '\\n')
  } else fail('docker-credential-test: unknown action: ' + action)
})
`

/** Installs the helpers and puts them on PATH; `restore()` undoes both. */
export function installFakeHelpers() {
  const bin = mkdtempSync(join(tmpdir(), 'wharf-helpers-'))
  const store = join(bin, 'store.json')
  const log = join(bin, 'log.jsonl')
  const install = (name: string, body: string) => {
    const path = join(bin, `docker-credential-${name}`)
    writeFileSync(path, script(body))
    chmodSync(path, 0o755)
  }
  install('test', TEST_HELPER)
  install('slow', 'setTimeout(() => {}, 60_000)')
  install('broken', "process.stdout.write('keychain is locked\\n'); process.exit(1)")
  install('garbage', "process.stdout.write('Secret: s3cr3t-in-garbage'); process.exit(0)")
  install(
    'chatty',
    "const s = 'x'.repeat(65536); let i = 0; const w = () => { while (i++ < 64) if (!process.stdout.write(s)) return process.stdout.once('drain', w) }; w()",
  )
  const saved = {
    PATH: process.env.PATH,
    store: process.env.WHARF_HELPER_STORE,
    log: process.env.WHARF_HELPER_LOG,
  }
  process.env.PATH = `${bin}${delimiter}${process.env.PATH ?? ''}`
  process.env.WHARF_HELPER_STORE = store
  process.env.WHARF_HELPER_LOG = log
  return {
    bin,
    /** Seeds the helper's store. */
    seed(entries: Record<string, { Username: string; Secret: string }>) {
      writeFileSync(store, JSON.stringify(entries))
      writeFileSync(log, '')
    },
    stored(): Record<string, { Username: string; Secret: string }> {
      return JSON.parse(readFileSync(store, 'utf8'))
    },
    calls(): Array<{ action: string; server: string | null }> {
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    },
    restore() {
      process.env.PATH = saved.PATH
      for (const [k, v] of [
        ['WHARF_HELPER_STORE', saved.store],
        ['WHARF_HELPER_LOG', saved.log],
      ] as const) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
      rmSync(bin, { recursive: true, force: true })
    },
  }
}
