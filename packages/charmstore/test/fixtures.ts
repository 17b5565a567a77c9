import { strToU8, zipSync } from 'fflate'
import { type CharmStoreClientOptions, createCharmStoreClient } from '../src/index.js'
import { createMockCharmStore, type MockCharmStoreOptions } from '../src/mock/index.js'

export const ADMIN = { user: 'admin', password: 'admin-password' }

/** A zip with the given text files. */
export function zipOf(files: Record<string, string | Uint8Array>): Uint8Array {
  const entries: Record<string, Uint8Array> = {}
  for (const [name, content] of Object.entries(files)) {
    entries[name] = typeof content === 'string' ? strToU8(content) : content
  }
  return zipSync(entries)
}

/** A charm archive: metadata.yaml (+ config/actions) for `name`. */
export function charmZip(
  name: string,
  options: {
    series?: string[]
    resources?: Record<string, { type: string; filename?: string }>
    extra?: Record<string, string>
  } = {},
): Uint8Array {
  const lines = [
    `name: ${name}`,
    `summary: the ${name} charm`,
    'description: |',
    `  ${name} does things.`,
    '  On two lines.',
  ]
  if (options.series) lines.push('series:', ...options.series.map((s) => `  - ${s}`))
  lines.push('provides:', '  website:', '    interface: http', 'requires:', '  db: mysql')
  if (options.resources) {
    lines.push('resources:')
    for (const [res, spec] of Object.entries(options.resources)) {
      lines.push(`  ${res}:`, `    type: ${spec.type}`)
      if (spec.filename) lines.push(`    filename: ${spec.filename}`)
    }
  }
  return zipOf({
    'metadata.yaml': `${lines.join('\n')}\n`,
    'config.yaml':
      'options:\n  title:\n    type: string\n    default: hello\n    description: the title\n',
    'hooks/install': '#!/bin/sh\necho installed\n',
    'README.md': `# ${name}\n`,
    ...options.extra,
  })
}

/** A bundle archive. */
export function bundleZip(): Uint8Array {
  return zipOf({
    'bundle.yaml':
      'applications:\n  wordpress:\n    charm: cs:wordpress\n    num_units: 2\n  mysql:\n    charm: cs:mysql\n    num_units: 1\nmachines:\n  "0": {}\nrelations:\n  - ["wordpress:db", "mysql:server"]\n',
    'README.md': '# a bundle\n',
  })
}

/** A mock on a real server with a client; `admin` clients use basic auth. */
export async function startStore(
  options: MockCharmStoreOptions = {},
  client: CharmStoreClientOptions = { ...ADMIN },
) {
  const mock = createMockCharmStore(options)
  const server = await mock.listen()
  const cs = createCharmStoreClient({ url: server.url, http: { retry: 0 }, ...client })
  return { mock, server, client: cs, close: () => server.close() }
}

/** For `.then(unexpected, (e) => e)`: a call that should have failed but did not. */
export function unexpected(): never {
  throw new Error('expected the call to fail')
}
