const SECRET_PARAMS =
  /^(token|access_token|refresh_token|id_token|password|passwd|secret|client_secret|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|awsaccesskeyid|se|sv)$/i
const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-registry-auth',
  'x-auth-token',
  'x-docker-token',
])

/** The placeholder that replaces every redacted secret. */
export const REDACTED = '[REDACTED]'

/** True for header names whose values are credentials. */
export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADERS.has(name.toLowerCase())
}

/** A URL string with user info and secret query parameters (tokens, signatures) redacted. */
export function redactUrl(input: string | URL): string {
  let url: URL
  try {
    url = new URL(String(input))
  } catch {
    return redactSecrets(String(input))
  }
  if (url.username) url.username = REDACTED
  if (url.password) url.password = REDACTED
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) url.searchParams.set(key, REDACTED)
  }
  return url.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED)
}

/** A copy of `headers` with credential-bearing values redacted. */
export function redactHeaders(headers: HeadersInit): Headers {
  const out = new Headers(headers)
  for (const [name] of out) if (isSensitiveHeader(name)) out.set(name, REDACTED)
  return out
}

/**
 * Redacts secrets from free text: `Basic`/`Bearer` credentials and `token=`, `access_token=`,
 * `password=`, `X-Amz-Signature=`-style parameters.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(Basic|Bearer|Macaroon|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`)
    .replace(
      /([?&;\s"']|^)(token|access_token|refresh_token|id_token|password|passwd|secret|client_secret|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|signature|sig)=([^&\s"';]+)/gi,
      `$1$2=${REDACTED}`,
    )
    .replace(/(\/\/[^/\s:@]+):([^@/\s]+)@/g, `$1:${REDACTED}@`)
}
