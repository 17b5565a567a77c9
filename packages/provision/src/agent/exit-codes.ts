/** What a script's exit told the runner (several flags may be set at once). */
export interface ExitFlags {
  failed: boolean
  incomplete: boolean
  reboot: boolean
  poweroff: boolean
  stop: boolean
}

const NONE: ExitFlags = {
  failed: false,
  incomplete: false,
  reboot: false,
  poweroff: false,
  stop: false,
}

const SANE: Record<number, Partial<ExitFlags>> = {
  0: {},
  16: { stop: true },
  32: { poweroff: true },
  64: { reboot: true },
  128: { incomplete: true },
  144: { stop: true, incomplete: true },
  160: { poweroff: true, incomplete: true },
  192: { reboot: true, incomplete: true },
}

const LEGACY: Record<number, Partial<ExitFlags>> = {
  0: {},
  1: { reboot: true },
  2: { incomplete: true },
  3: { incomplete: true, reboot: true },
}

/**
 * Decodes a script's exit code with the table of dr-provision v3.10: "sane" codes (16 stop,
 * 32 poweroff, 64 reboot, 128 incomplete and their sums with 128) or the legacy ones (1 reboot,
 * 2 incomplete, 3 both). Anything else, and a death by signal (`null`), is a failure.
 */
export function interpretExit(code: number | null, sane: boolean): ExitFlags {
  const known = code === null ? undefined : (sane ? SANE : LEGACY)[code]
  return { ...NONE, ...(known ?? { failed: true }) }
}
