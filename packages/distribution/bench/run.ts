// The distribution bench: a real CNCF registry (2.8) in its own process on 127.0.0.1, images
// of BENCH_MIB (default 1024) MiB. Every ratio comes from this one run; the figures are
// printed and written into ../README.md between the bench markers.
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findExecutable, registryBinary, startRegistry } from '@wharf/tooling/registry'

const here = dirname(fileURLToPath(import.meta.url))
const MiB = 1024 * 1024
const SIZE = Number(process.env.BENCH_MIB ?? 1024) * MiB
const skopeo = findExecutable('skopeo')
const curl = findExecutable('curl')
if (!registryBinary() || !skopeo || !curl) {
  console.error('bench needs docker-registry, skopeo and curl')
  process.exit(1)
}
const work = mkdtempSync(join(tmpdir(), 'wharf-dist-bench-'))
const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`

/** Writes `count` random layers totalling SIZE into an OCI layout; returns the layout dir. */
function buildLayout(name: string, count: number): string {
  const dir = join(work, name)
  const blobs = join(dir, 'blobs', 'sha256')
  execFileSync('mkdir', ['-p', blobs])
  const put = (bytes: Uint8Array) => {
    const d = sha(bytes)
    writeFileSync(join(blobs, d.slice(7)), bytes)
    return d
  }
  const layers = []
  const chunk = randomBytes(16 * MiB)
  for (let i = 0; i < count; i++) {
    const size = Math.floor(SIZE / count)
    const hash = createHash('sha256')
    const temp = join(blobs, `layer-${i}.tmp`)
    const fd = openSync(temp, 'w')
    for (let done = 0; done < size; ) {
      const n = Math.min(chunk.length, size - done)
      chunk.writeUInt32LE(i * 100_000 + done / MiB, 0) // every chunk differs
      const part = chunk.subarray(0, n)
      hash.update(part)
      writeSync(fd, part)
      done += n
    }
    closeSync(fd)
    const digest = `sha256:${hash.digest('hex')}`
    execFileSync('mv', [temp, join(blobs, digest.slice(7))])
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size })
  }
  const config = new TextEncoder().encode(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    }),
  )
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: put(config),
        size: config.byteLength,
      },
      layers,
    }),
  )
  const root = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: put(manifest),
    size: manifest.byteLength,
  }
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...root, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
    }),
  )
  return dir
}

const time = (fn: () => void) => {
  const started = performance.now()
  fn()
  return (performance.now() - started) / 1000
}
const run = (file: string, args: string[]) =>
  execFileSync(file, args, { stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 })
const wharf = (
  op: string,
  a: string,
  b: string,
  c: string,
  tuning: object = {},
): { seconds: number; maxRssMiB: number } =>
  JSON.parse(
    execFileSync(process.execPath, [join(here, 'child.mjs'), op, a, b, c], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, BENCH_PULL: JSON.stringify(tuning) },
    })
      .trim()
      .split('\n')
      .at(-1)!,
  )
const skopeoCopy = (src: string, dst: string) =>
  time(() =>
    run(skopeo!, [
      'copy',
      '--quiet',
      '--preserve-digests',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      src,
      dst,
    ]),
  )

const a = await startRegistry()
const b = await startRegistry()
const results: Record<string, number> = {}
try {
  console.log(`building images of ${SIZE / MiB} MiB in ${work} …`)
  const single = buildLayout('single', 1)
  const layered = buildLayout('layered', 10)
  const layer = JSON.parse(
    readFileSync(
      join(
        single,
        'blobs',
        'sha256',
        JSON.parse(readFileSync(join(single, 'index.json'), 'utf8')).manifests[0].digest.slice(7),
      ),
      'utf8',
    ),
  ).layers[0]

  // push: Wharf from the layout vs skopeo from the same layout, each to a fresh repository
  const pushWharf = wharf('push', single, a.host, 'bench/push-wharf')
  results.pushWharf = pushWharf.seconds
  results.pushSkopeo = skopeoCopy(`oci:${single}:v1`, `docker://${a.host}/bench/push-skopeo:v1`)

  // pull of the single-layer image: curl -o of the blob, Wharf to an OCI layout, skopeo to oci:
  results.pullCurl = time(() =>
    run(curl!, [
      '-sSf',
      '-o',
      join(work, 'curl.blob'),
      `${a.url}/v2/bench/push-wharf/blobs/${layer.digest}`,
    ]),
  )
  rmSync(join(work, 'curl.blob'))
  const pullWharf = wharf('pull', a.host, 'bench/push-wharf', join(work, 'pulled-wharf'))
  results.pullWharf = pullWharf.seconds
  results.pullRssMiB = pullWharf.maxRssMiB
  rmSync(join(work, 'pulled-wharf'), { recursive: true })
  for (const [name, tuning] of [
    ['pullOne', { concurrency: 1 }],
    ['pullWorker', { concurrency: 1, hashInWorker: true }],
  ] as const) {
    const pulled = wharf('pull', a.host, 'bench/push-wharf', join(work, name), tuning)
    results[name] = pulled.seconds
    results[`${name}RssMiB`] = pulled.maxRssMiB
    rmSync(join(work, name), { recursive: true })
  }
  results.pullNoSync = wharf(
    'pull-nosync',
    a.host,
    'bench/push-wharf',
    join(work, 'pulled-nosync'),
  ).seconds
  rmSync(join(work, 'pulled-nosync'), { recursive: true })
  results.pullSkopeo = skopeoCopy(
    `docker://${a.host}/bench/push-wharf:v1`,
    `oci:${join(work, 'pulled-skopeo')}:v1`,
  )
  rmSync(join(work, 'pulled-skopeo'), { recursive: true })

  // registry-to-registry copy of the 10-layer image (A → B), then the same copy again
  skopeoCopy(`oci:${layered}:v1`, `docker://${a.host}/bench/layered:v1`)
  results.copyWharf = wharf('copy', a.host, b.host, 'bench/layered').seconds
  results.copySkopeo = skopeoCopy(
    `docker://${a.host}/bench/layered:v1`,
    `docker://${b.host}/bench/layered-skopeo:v1`,
  )
  results.copyAgain = wharf('copy', a.host, b.host, 'bench/layered').seconds
} finally {
  await a.close()
  await b.close()
  rmSync(work, { recursive: true, force: true })
}

const load = loadavg()[0]!.toFixed(1)
const r = (x: number) => x.toFixed(2)
const mbps = (s: number) => `${Math.round(SIZE / MiB / s)} MiB/s`
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), Node ${process.version}, images of ${SIZE / MiB} MiB, CNCF registry 2.8 on 127.0.0.1 in its own process; load average ${load} when it finished (the machine is shared).`,
  '',
  '| measure | Wharf | reference | ratio (reference time / Wharf time) | target |',
  '| --- | --- | --- | --- | --- |',
  `| pull 1 layer to disk vs \`curl -o\` | ${r(results.pullWharf!)} s (${mbps(results.pullWharf!)}) | ${r(results.pullCurl!)} s | ${r(results.pullCurl! / results.pullWharf!)} | ≥ 0.6 |`,
  `| pull vs \`skopeo copy docker:// oci:\` | ${r(results.pullWharf!)} s | ${r(results.pullSkopeo!)} s | ${r(results.pullSkopeo! / results.pullWharf!)} | ≥ 2.0 |`,
  `| pull without fdatasync (curl and skopeo do not sync either) vs \`curl -o\` | ${r(results.pullNoSync!)} s (${mbps(results.pullNoSync!)}) | ${r(results.pullCurl!)} s | ${r(results.pullCurl! / results.pullNoSync!)} | |`,
  `| peak RSS of the pull | ${Math.round(results.pullRssMiB!)} MiB | | | ≤ 128 MiB |`,
  `| pull in one stream (\`concurrency: 1\`) vs \`skopeo copy\` | ${r(results.pullOne!)} s (${mbps(results.pullOne!)}), peak RSS ${Math.round(results.pullOneRssMiB!)} MiB | ${r(results.pullSkopeo!)} s | ${r(results.pullSkopeo! / results.pullOne!)} | |`,
  `| pull in one stream hashing on a worker thread (\`hashInWorker: true\`) vs \`skopeo copy\` | ${r(results.pullWorker!)} s (${mbps(results.pullWorker!)}), peak RSS ${Math.round(results.pullWorkerRssMiB!)} MiB | ${r(results.pullSkopeo!)} s | ${r(results.pullSkopeo! / results.pullWorker!)} | |`,
  `| push from an OCI layout vs \`skopeo copy oci: docker://\` | ${r(results.pushWharf!)} s (${mbps(results.pushWharf!)}) | ${r(results.pushSkopeo!)} s | ${r(results.pushSkopeo! / results.pushWharf!)} | ≥ 2.0 |`,
  `| copy of a 10-layer image between registries vs \`skopeo copy\` | ${r(results.copyWharf!)} s | ${r(results.copySkopeo!)} s | ${r(results.copySkopeo! / results.copyWharf!)} | ≥ 2.0 |`,
  `| second copy (everything present) | ${r(results.copyAgain!)} s | | | < 0.5 s |`,
]
console.log(lines.join('\n'))
const readmePath = join(here, '..', 'README.md')
const readme = readFileSync(readmePath, 'utf8')
const block = `<!-- bench -->\n${lines.join('\n')}\n<!-- /bench -->`
writeFileSync(readmePath, readme.replace(/<!-- bench -->[\s\S]*?(<!-- \/bench -->|$)/, block))
