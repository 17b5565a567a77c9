import { http, HttpResponse as MswResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  BlobUnknownError,
  BlobUploadError,
  createRegistryClient,
  DeniedError,
  DigestInvalidError,
  ManifestBlobUnknownError,
  ManifestInvalidError,
  ManifestUnknownError,
  NameInvalidError,
  NameUnknownError,
  RegistryError,
  SizeInvalidError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedError,
} from '../src/index.js'

let answer: { status: number; body?: string; headers?: Record<string, string> } = { status: 200 }
const msw = setupServer(
  http.all('http://errors.mock/*', () => new MswResponse(answer.body ?? null, answer)),
)
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
afterAll(() => msw.close())

const repo = createRegistryClient({ registry: 'http://errors.mock', retry: 0 }).repository(
  'acme/app',
)
const body = (code: string) =>
  JSON.stringify({ errors: [{ code, message: `${code} happened`, detail: { x: 1 } }] })
const D = `sha256:${'0'.repeat(64)}`

// [status, body code, the call, expected class, stable code]
const table: Array<[number, string | null, () => Promise<unknown>, Function, string]> = [
  [
    404,
    'MANIFEST_UNKNOWN',
    () => repo.getManifest('v1'),
    ManifestUnknownError,
    'ERR_MANIFEST_UNKNOWN',
  ],
  [404, 'NAME_UNKNOWN', () => repo.getManifest('v1'), ManifestUnknownError, 'ERR_MANIFEST_UNKNOWN'],
  [404, null, () => repo.headManifest('v1'), ManifestUnknownError, 'ERR_MANIFEST_UNKNOWN'],
  [404, null, () => repo.headBlob(D), BlobUnknownError, 'ERR_BLOB_UNKNOWN'],
  [404, 'BLOB_UNKNOWN', () => repo.getBlob(D), BlobUnknownError, 'ERR_BLOB_UNKNOWN'],
  [404, 'NAME_UNKNOWN', () => repo.listTags().next(), NameUnknownError, 'ERR_NAME_UNKNOWN'],
  [400, 'NAME_INVALID', () => repo.listTags().next(), NameInvalidError, 'ERR_NAME_INVALID'],
  [401, 'UNAUTHORIZED', () => repo.getManifest('v1'), UnauthorizedError, 'ERR_UNAUTHORIZED'],
  [401, null, () => repo.headManifest('v1'), UnauthorizedError, 'ERR_UNAUTHORIZED'],
  [403, 'DENIED', () => repo.getManifest('v1'), DeniedError, 'ERR_DENIED'],
  [403, null, () => repo.headBlob(D), DeniedError, 'ERR_DENIED'],
  [
    429,
    'TOOMANYREQUESTS',
    () => repo.getManifest('v1'),
    TooManyRequestsError,
    'ERR_TOO_MANY_REQUESTS',
  ],
  [405, 'UNSUPPORTED', () => repo.deleteManifest(D), UnsupportedError, 'ERR_UNSUPPORTED'],
  [
    400,
    'DIGEST_INVALID',
    () => repo.mountBlob(D, 'other/repo'),
    DigestInvalidError,
    'ERR_DIGEST_INVALID',
  ],
  [
    400,
    'MANIFEST_INVALID',
    () => repo.getManifest('v1'),
    ManifestInvalidError,
    'ERR_MANIFEST_INVALID',
  ],
  [
    400,
    'MANIFEST_BLOB_UNKNOWN',
    () => repo.getManifest('v1'),
    ManifestBlobUnknownError,
    'ERR_MANIFEST_BLOB_UNKNOWN',
  ],
  [
    404,
    'BLOB_UPLOAD_INVALID',
    () => repo.mountBlob(D, 'other/repo'),
    BlobUploadError,
    'ERR_BLOB_UPLOAD',
  ],
  [
    400,
    'BLOB_UPLOAD_INVALID',
    () => repo.mountBlob(D, 'other/repo'),
    BlobUploadError,
    'ERR_BLOB_UPLOAD',
  ],
  [
    400,
    'SIZE_INVALID',
    () => repo.mountBlob(D, 'other/repo'),
    SizeInvalidError,
    'ERR_SIZE_INVALID',
  ],
  [500, 'SOMETHING_NEW', () => repo.getManifest('v1'), RegistryError, 'ERR_REGISTRY'],
]

it.each(table)('%i %s maps onto a typed error', async (status, code, call, Class, stable) => {
  answer = {
    status,
    ...(code ? { body: body(code), headers: { 'content-type': 'application/json' } } : {}),
  }
  const error: any = await call().catch((e) => e)
  expect(error).toBeInstanceOf(Class)
  expect(error).toBeInstanceOf(RegistryError)
  expect(error.code).toBe(stable)
  expect(error.status).toBe(status)
  if (code) expect(error.errors[0]).toEqual({ code, message: `${code} happened`, detail: { x: 1 } })
})

it('keeps a token server\'s {"details"} text and WWW-Authenticate hints', async () => {
  answer = {
    status: 401,
    body: '{"details":"incorrect username or password"}',
    headers: { 'content-type': 'application/json' },
  }
  const error = await repo.getManifest('v1').catch((e) => e)
  expect(error.errors).toEqual([
    { code: 'UNAUTHORIZED', message: 'incorrect username or password' },
  ])
  answer = {
    status: 403,
    headers: { 'www-authenticate': 'Bearer realm="x",error="insufficient_scope"' },
    body: '',
  }
  const denied = await repo.getManifest('v1').catch((e) => e)
  expect(denied).toBeInstanceOf(DeniedError)
})
