// A file server for the bench, run in its own process: GET /blob (Range: bytes=a-b or a-)
// and /prefix/<n> (the first n bytes). With a rate (bytes/s) every response is paced to it.
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { createServer } from 'node:http'

const [file, rateArg = '0'] = process.argv.slice(2)
const rate = Number(rateArg)
const { size: fileSize } = await stat(file)
const handle = await open(file, 'r')

async function paced(res, start, end) {
  const began = performance.now()
  const chunk = 64 * 1024
  let sent = 0
  for (let at = start; at <= end && !res.destroyed; at += chunk) {
    const n = Math.min(chunk, end + 1 - at)
    const buffer = Buffer.allocUnsafe(n)
    await handle.read(buffer, 0, n, at)
    if (!res.write(buffer)) await new Promise((r) => res.once('drain', r))
    sent += n
    const ahead = (sent / rate) * 1000 - (performance.now() - began)
    if (ahead > 0) await new Promise((r) => setTimeout(r, ahead))
  }
  res.end()
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x')
  const size = url.pathname.startsWith('/prefix/')
    ? Math.min(fileSize, Number(url.pathname.slice(8)))
    : fileSize
  let start = 0
  let end = size - 1
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
  const headers = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' }
  if (m) {
    start = Number(m[1])
    end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1
    if (start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end()
      return
    }
    headers['content-range'] = `bytes ${start}-${end}/${size}`
  }
  headers['content-length'] = String(end + 1 - start)
  res.writeHead(m ? 206 : 200, headers)
  if (rate > 0) paced(res, start, end).catch(() => res.destroy())
  else createReadStream(file, { start, end, highWaterMark: 256 * 1024 }).pipe(res)
})
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`)
})
