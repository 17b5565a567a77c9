import { createHash } from 'node:crypto'
import { UnauthorizedError } from '@wharf/distribution'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type AuthConfig,
  createEndpoint,
  createSession,
  DockerMediaType,
  LoginError,
  login,
  type Session,
} from '../src/index.js'

/** Something that speaks V2: the mock (msw or HTTP) or the real registry. */
export interface V2Target {
  url: string
  /** Valid credentials when the target wants them. */
  authConfig?: AuthConfig
  close(): Promise<void>
}

const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const enc = (s: string) => new TextEncoder().encode(s)
const collect = async (stream: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(stream).arrayBuffer())

/**
 * The V2 contract: the same calls and assertions against every target. Everything goes
 * through the public Session API; the registry's answers are what is checked.
 */
export function v2Suite(name: string, traits: { auth: boolean }, start: () => Promise<V2Target>) {
  describe(name, () => {
    let target: V2Target
    let session: Session
    const config = enc(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [] },
      }),
    )
    const layer = new Uint8Array(4096).map((_, i) => (i * 31) & 0xff)
    const manifest = {
      schemaVersion: 2 as const,
      mediaType: DockerMediaType.ManifestV2,
      config: {
        mediaType: DockerMediaType.ImageConfig,
        size: config.byteLength,
        digest: sha(config),
      },
      layers: [{ mediaType: DockerMediaType.Layer, size: layer.byteLength, digest: sha(layer) }],
    }
    const manifestBytes = enc(JSON.stringify(manifest))

    beforeAll(async () => {
      target = await start()
      session = createSession(createEndpoint(target.url), {
        ...(target.authConfig ? { authConfig: target.authConfig } : {}),
        retry: 0,
      })
    })
    afterAll(async () => {
      await session?.close()
      await target?.close()
    })

    it('reports the V2 API version', async () => {
      const info = await session.getV2Version()
      expect(info).toMatchObject({ version: 2, status: 200, apiVersionHeader: 'registry/2.0' })
    })

    it('pushes blobs and a schema 2 manifest, then lists the tag', async () => {
      const pushedConfig = await session.putV2ImageBlob('team/app', config)
      expect(pushedConfig.descriptor.digest).toBe(sha(config))
      const pushedLayer = await session.putV2ImageBlob('team/app', new Blob([layer]).stream(), {
        size: layer.byteLength,
      })
      expect(pushedLayer.descriptor.digest).toBe(sha(layer))
      const descriptor = await session.putV2ImageManifest('team/app', 'v1', manifestBytes, {
        mediaType: DockerMediaType.ManifestV2,
      })
      expect(descriptor).toEqual({
        mediaType: DockerMediaType.ManifestV2,
        digest: sha(manifestBytes),
        size: manifestBytes.byteLength,
      })
      expect(await session.getV2RemoteTags('team/app')).toEqual(['v1'])
    })

    it('pulls the manifest by tag and digest and the verified blobs', async () => {
      const byTag = await session.getV2ImageManifest('team/app', 'v1')
      expect(byTag.descriptor).toEqual({
        mediaType: DockerMediaType.ManifestV2,
        digest: sha(manifestBytes),
        size: manifestBytes.byteLength,
      })
      expect(byTag.bytes).toEqual(manifestBytes)
      expect(byTag.manifest).toEqual(manifest)
      const byDigest = await session.getV2ImageManifest('team/app', sha(manifestBytes))
      expect(byDigest.descriptor.digest).toBe(sha(manifestBytes))
      const reader = await session.getV2ImageBlobReader('team/app', sha(layer))
      expect(reader.size).toBe(layer.byteLength)
      expect(await collect(reader.stream)).toEqual(layer)
      const chunks: Uint8Array[] = []
      await session.getV2ImageBlob(
        'team/app',
        sha(config),
        new WritableStream({ write: (c) => void chunks.push(c) }),
      )
      expect(Buffer.concat(chunks)).toEqual(Buffer.from(config))
    })

    it('mounts a blob into another repository and tells whether blobs exist', async () => {
      expect(await session.postV2ImageMountBlob('team/other', sha(layer))).toBe(false)
      expect(
        await session.postV2ImageMountBlob('team/other', sha(layer), { from: 'team/app' }),
      ).toBe(true)
      expect(await session.postV2ImageMountBlob('team/other', sha(layer))).toBe(true)
      const copy = await session.getV2ImageBlobReader('team/other', sha(layer))
      expect(await collect(copy.stream)).toEqual(layer)
    })

    it('pushes and reads a manifest list', async () => {
      const list = {
        schemaVersion: 2 as const,
        mediaType: DockerMediaType.ManifestList,
        manifests: [
          {
            mediaType: DockerMediaType.ManifestV2,
            size: manifestBytes.byteLength,
            digest: sha(manifestBytes),
            platform: { architecture: 'amd64', os: 'linux' },
          },
        ],
      }
      const bytes = enc(JSON.stringify(list))
      await session.putV2ImageManifest('team/app', 'multi', bytes, {
        mediaType: DockerMediaType.ManifestList,
      })
      const got = await session.getV2ImageManifest('team/app', 'multi')
      expect(got.descriptor).toEqual({
        mediaType: DockerMediaType.ManifestList,
        digest: sha(bytes),
        size: bytes.byteLength,
      })
      expect(got.manifest).toEqual(list)
      expect((await session.getV2RemoteTags('team/app')).sort()).toEqual(['multi', 'v1'])
    })

    it('fails with typed errors for unknown manifests and blobs', async () => {
      await expect(session.getV2ImageManifest('team/app', 'nope')).rejects.toMatchObject({
        code: 'ERR_MANIFEST_UNKNOWN',
      })
      await expect(
        session.getV2ImageBlobReader('team/app', sha(enc('missing'))),
      ).rejects.toMatchObject({
        code: 'ERR_BLOB_UNKNOWN',
      })
    })

    // only targets that demand credentials have a login to test
    if (traits.auth) {
      it('logs in and refuses bad credentials', async () => {
        const ok = await login({ ...target.authConfig, serverAddress: target.url })
        expect(ok).toMatchObject({
          status: 'Login Succeeded',
          version: 2,
          serverAddress: new URL(target.url).host,
        })
        const bad = await login({
          ...target.authConfig,
          password: 'wrong-password',
          serverAddress: target.url,
        }).catch((e) => e)
        expect(bad).toBeInstanceOf(LoginError)
        expect(bad.code).toBe('ERR_LOGIN_UNAUTHORIZED')
        expect(bad.message).not.toContain('wrong-password')
        const stranger = createSession(createEndpoint(target.url), {
          authConfig: { ...target.authConfig, password: 'wrong-password' },
          retry: 0,
        })
        // Basic registries refuse the request; token realms refuse the token request
        const refused = await stranger.getV2RemoteTags('team/app').catch((e) => e)
        expect(refused instanceof UnauthorizedError || refused.code === 'ERR_TOKEN').toBe(true)
        expect(refused.message).not.toContain('wrong-password')
      })
    }
  })
}
