import { WharfError } from '@wharf/core-http'
import type { Descriptor, ImageIndex, Platform } from './types.js'

/** A platform to select: `linux/arm64/v8` or an object with os, architecture and optional variant. */
export type PlatformSpec = string | { os: string; architecture: string; variant?: string }

/** No index entry matches the requested platform. */
export class PlatformNotFoundError extends WharfError {
  constructor(wanted: string, available: string[]) {
    super(
      'ERR_PLATFORM_NOT_FOUND',
      `no manifest for platform ${wanted} (index has: ${available.join(', ') || 'no platforms'})`,
    )
  }
}

/** Parses `os/architecture[/variant]`; objects pass through. */
export function parsePlatform(spec: PlatformSpec): {
  os: string
  architecture: string
  variant?: string
} {
  if (typeof spec !== 'string') return spec
  const [os, architecture, variant, extra] = spec.split('/')
  if (!os || !architecture || extra !== undefined || variant === '') {
    throw new WharfError(
      'ERR_INVALID_PLATFORM',
      `invalid platform ${JSON.stringify(spec)}: expected os/architecture[/variant]`,
    )
  }
  return variant === undefined ? { os, architecture } : { os, architecture, variant }
}

/** `os/architecture[/variant]` of a platform. */
export function formatPlatform(p: Pick<Platform, 'os' | 'architecture' | 'variant'>): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

/**
 * True when `platform` satisfies `wanted`: same os and architecture, and the same variant
 * when one is asked for (arm64 treats a missing variant as v8).
 */
export function matchPlatform(platform: Platform | undefined, wanted: PlatformSpec): boolean {
  if (!platform) return false
  const w = parsePlatform(wanted)
  if (platform.os !== w.os || platform.architecture !== w.architecture) return false
  if (w.variant === undefined) return true
  const variant = platform.variant ?? (platform.architecture === 'arm64' ? 'v8' : undefined)
  return variant === w.variant
}

/** The first index entry for `wanted`; PlatformNotFoundError when none matches. */
export function selectPlatform(index: ImageIndex, wanted: PlatformSpec): Descriptor {
  const found = index.manifests.find((d) => matchPlatform(d.platform, wanted))
  if (found) return found
  const w = parsePlatform(wanted)
  throw new PlatformNotFoundError(
    formatPlatform(w),
    index.manifests.flatMap((d) => (d.platform ? [formatPlatform(d.platform)] : [])),
  )
}
