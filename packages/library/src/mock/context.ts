import type { MockStore } from './state.js'

/** Faults to inject; mutable at run time, counters decrement as they fire. */
export interface MockFaults {
  /** Answer the next `count` library requests whose path matches with `status`. */
  failNext?: { status: number; count: number; paths?: RegExp }
  /** The storage origin flips a byte of the next `count` uploads of part `partNumber`. */
  corruptPart?: { partNumber: number; count: number }
  /** The storage origin answers `status` to the next `count` uploads of part `partNumber`. */
  failPart?: { partNumber: number; status: number; count: number }
  /** Storage downloads send `bytes` body bytes of the next `count` responses, then cut. */
  cutDownload?: { bytes: number; count: number }
  /** Storage downloads ignore `Range` and send the whole file with 200. */
  ignoreRange?: boolean
}

/** One request the mock received. */
export interface LoggedRequest {
  origin: 'library' | 'storage'
  method: string
  /** Path and query. */
  path: string
  headers: Record<string, string>
}

/** What a handler needs: the store, the settings and where the storage origin is. */
export interface MockContext {
  store: MockStore
  faults: MockFaults
  settings: MockSettings
  /** The storage origin's base URL, for presigned URLs. */
  storageUrl(): string
}

/** The resolved options of the mock. */
export interface MockSettings {
  apiVersion: string | null
  multipart: boolean
  partSize: number
  s3compliant: string | null
  signedHeaders: boolean
  downloads: 'redirect' | 'stream'
}
