/** The domain Docker Hub references normalize to. */
export const DEFAULT_DOMAIN = 'docker.io'
/** The legacy alias of {@link DEFAULT_DOMAIN}. */
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io'
/** The namespace of Docker Hub's official images. */
export const OFFICIAL_NAMESPACE = 'library'
/** The address Docker uses for Hub's V1 index and search, and as Hub's auth-config key. */
export const INDEX_SERVER = 'https://index.docker.io/v1/'
/** Where Docker Hub serves the V2 API. */
export const HUB_REGISTRY = 'https://registry-1.docker.io'

/** Where Docker Hub's services live; tests point these at a mock posing as Hub. */
export interface HubOrigins {
  /** V2 API base (default `https://registry-1.docker.io`). */
  registry: string
  /** V1 index and search base (default `https://index.docker.io/v1/`). */
  index: string
}

/** Hub's real addresses. */
export const HUB: Readonly<HubOrigins> = Object.freeze({
  registry: HUB_REGISTRY,
  index: INDEX_SERVER,
})

/** True for the names Docker gives Hub: `docker.io`, `index.docker.io`, its index URL and V2 host. */
export function isHubAddress(address: string): boolean {
  const host = address
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase()
  return (
    address === '' ||
    host === DEFAULT_DOMAIN ||
    host === LEGACY_DEFAULT_DOMAIN ||
    host === 'registry-1.docker.io'
  )
}
