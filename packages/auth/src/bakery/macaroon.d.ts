// Types for the parts of the `macaroon` package (CommonJS, untyped) that this package uses.
declare module 'macaroon' {
  export interface Caveat {
    identifier: Uint8Array
    location?: string
    vid?: Uint8Array
  }
  export interface Macaroon {
    readonly caveats: Caveat[]
    readonly location: string
    readonly identifier: Uint8Array
    readonly signature: Uint8Array
    bindToRoot(rootSig: Uint8Array): void
    clone(): Macaroon
    exportJSON(): Record<string, unknown>
    exportBinary(): Uint8Array
    addFirstPartyCaveat(condition: string | Uint8Array): void
    addThirdPartyCaveat(rootKey: Uint8Array, caveatId: string | Uint8Array, location: string): void
    verify(
      rootKey: Uint8Array,
      check: (condition: string) => string | null,
      discharges?: Macaroon[],
    ): void
  }
  const macaroon: {
    importMacaroon(value: unknown): Macaroon
    importMacaroons(value: unknown): Macaroon[]
    newMacaroon(params: {
      identifier: string | Uint8Array
      location?: string
      rootKey: string | Uint8Array
      version?: 1 | 2
    }): Macaroon
    bytesToBase64(bytes: Uint8Array): string
    base64ToBytes(text: string): Uint8Array
  }
  export default macaroon
}
