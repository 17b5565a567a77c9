import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A P-256 key and a self-signed certificate, both PEM. */
export interface SelfSigned {
  key: string
  certificate: string
}

/**
 * Makes a P-256 key and a self-signed certificate with the openssl CLI, valid for `days`,
 * with the given subject and (optionally) subjectAltName, e.g. `IP:127.0.0.1,DNS:localhost`.
 */
export function selfSignedCertificate(
  options: { subject?: string; altNames?: string; days?: number } = {},
): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-tls-'))
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        String(options.days ?? 2),
        '-subj',
        options.subject ?? '/CN=localhost',
        ...(options.altNames ? ['-addext', `subjectAltName=${options.altNames}`] : []),
      ],
      { stdio: 'ignore', timeout: 20_000 },
    )
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      certificate: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
