/** Parses an error body: JSON when it is JSON (or looks like it), the text otherwise. */
export function parseErrorBody(text: string, contentType: string | null): unknown {
  const looksJson = /json/i.test(contentType ?? '') || /^\s*[[{]/.test(text)
  if (looksJson) {
    try {
      return JSON.parse(text)
    } catch {
      // fall through: keep the text
    }
  }
  return text
}
