/** The parts of the `macaroon` package (CommonJS, untyped) the mock's bakery uses. */
declare module 'macaroon' {
  interface Macaroon {
    readonly identifier: Uint8Array
    readonly signature: Uint8Array
    readonly location: string
    addFirstPartyCaveat(condition: string | Uint8Array): void
    addThirdPartyCaveat(rootKey: Uint8Array, caveatId: string | Uint8Array, location: string): void
    verify(
      rootKey: Uint8Array,
      check: (condition: string) => string | null,
      discharges?: Macaroon[],
    ): void
    exportJSON(): Record<string, unknown>
  }
  const lib: {
    newMacaroon(params: {
      identifier: string | Uint8Array
      location?: string
      rootKey: Uint8Array
      version?: 1 | 2
    }): Macaroon
    importMacaroons(value: unknown): Macaroon[]
  }
  export default lib
}
