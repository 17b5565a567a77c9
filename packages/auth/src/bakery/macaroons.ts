import macaroon, { type Macaroon } from 'macaroon'
import { toBase64, toBase64Url } from '../base64.js'
import { DischargeError } from '../errors.js'

export type { Macaroon }

/** A decoded macaroon and the external caveat data (`cdata`) of a bakery v3 wrapper. */
export interface DecodedMacaroon {
  macaroon: Macaroon
  /** Caveat data keyed by the unpadded base64url caveat id. */
  caveatData: Map<string, string>
}

/**
 * Decodes a macaroon in any of the bakery's forms: JSON v1, JSON v2, the v3 wrapper
 * `{m, v, cdata, ns}`, or a base64 string of the binary (v1 or v2) form.
 */
export function decodeMacaroon(value: unknown, what: string): DecodedMacaroon {
  const caveatData = new Map<string, string>()
  let inner = value
  if (typeof value === 'object' && value !== null && 'm' in value) {
    const wrapper = value as { m: unknown; cdata?: unknown }
    inner = wrapper.m
    if (typeof wrapper.cdata === 'object' && wrapper.cdata !== null) {
      for (const [k, v] of Object.entries(wrapper.cdata)) {
        if (typeof v === 'string') caveatData.set(k.replace(/=+$/, ''), v.replace(/=+$/, ''))
      }
    }
  }
  if (
    typeof inner !== 'string' &&
    (typeof inner !== 'object' || inner === null || Array.isArray(inner))
  ) {
    throw new DischargeError(`${what} holds no macaroon`)
  }
  try {
    return { macaroon: macaroon.importMacaroon(inner), caveatData }
  } catch (error) {
    throw new DischargeError(
      `${what} holds a macaroon that cannot be decoded: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
}

/** The third-party caveats of a macaroon: those with a verification id. */
export function thirdPartyCaveats(m: Macaroon): Array<{ id: Uint8Array; location: string }> {
  return m.caveats
    .filter((c) => c.vid !== undefined && c.vid.length > 0)
    .map((c) => ({ id: c.identifier, location: c.location ?? '' }))
}

/** The discharge form field for a caveat id: `id` for clean UTF-8, `id64` otherwise. */
export function caveatIdField(id: Uint8Array): [string, string] {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(id)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
    if (!/[\u0000-\u001f\u007f]/.test(text)) return ['id', text]
  } catch {
    // not UTF-8: fall through
  }
  return ['id64', toBase64Url(id)]
}

/** Cookie value of a slice: padded standard base64 of the JSON array, each in its own version. */
export function encodeSlice(slice: Macaroon[]): string {
  return toBase64(JSON.stringify(slice.map((m) => m.exportJSON())))
}

/** The earliest `time-before` first-party caveat of a slice, in epoch ms. */
export function earliestExpiry(slice: Macaroon[]): number | undefined {
  let earliest: number | undefined
  for (const m of slice) {
    for (const c of m.caveats) {
      if (c.vid !== undefined && c.vid.length > 0) continue
      const text = new TextDecoder().decode(c.identifier)
      const match = /^time-before (\S+)$/.exec(text)
      const at = match ? Date.parse(match[1]!) : Number.NaN
      if (Number.isFinite(at) && (earliest === undefined || at < earliest)) earliest = at
    }
  }
  return earliest
}

/** Hex of bytes (cookie names for macaroons without a suffix). */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
