import { describe, expect, it } from 'vitest'
import { type Challenge, parseWWWAuthenticate } from '../src/index.js'

type Expected = Array<{ scheme: string; params?: Record<string, string>; token68?: string }>

const realm = 'https://auth.example.com/token'
const cases: Array<[string, string | null | undefined, Expected]> = [
  // Ordinary registry challenges.
  [
    'docker bearer',
    `Bearer realm="${realm}",service="registry.example.com",scope="repository:acme/app:pull,push"`,
    [
      {
        scheme: 'bearer',
        params: { realm, service: 'registry.example.com', scope: 'repository:acme/app:pull,push' },
      },
    ],
  ],
  [
    'basic',
    'Basic realm="Registry Realm"',
    [{ scheme: 'basic', params: { realm: 'Registry Realm' } }],
  ],
  ['bare scheme', 'Macaroon', [{ scheme: 'macaroon' }]],
  ['scheme is lower-cased', 'BEARER realm="r"', [{ scheme: 'bearer', params: { realm: 'r' } }]],
  [
    'param names lower-cased',
    'Bearer REALM="r",Service=s',
    [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }],
  ],
  [
    'values keep their case',
    'Bearer realm="R",service=Svc',
    [{ scheme: 'bearer', params: { realm: 'R', service: 'Svc' } }],
  ],
  [
    'token values',
    'Bearer realm=r,service=s',
    [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }],
  ],
  [
    'spaces around =',
    'Bearer realm = "r" , service = s',
    [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }],
  ],
  [
    'tabs as whitespace',
    'Bearer\trealm="r",\tservice="s"',
    [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }],
  ],
  [
    'leading and trailing whitespace',
    '   Basic realm="x"   ',
    [{ scheme: 'basic', params: { realm: 'x' } }],
  ],
  ['empty list elements', ', ,Basic realm="x", ,', [{ scheme: 'basic', params: { realm: 'x' } }]],
  [
    'two challenges',
    'Bearer realm="a",service="b", Basic realm="c"',
    [
      { scheme: 'bearer', params: { realm: 'a', service: 'b' } },
      { scheme: 'basic', params: { realm: 'c' } },
    ],
  ],
  [
    'two headers joined by fetch',
    'Basic realm="x", Bearer realm="y"',
    [
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { realm: 'y' } },
    ],
  ],
  ['bare schemes in a list', 'Negotiate, NTLM', [{ scheme: 'negotiate' }, { scheme: 'ntlm' }]],
  [
    'comma inside quotes',
    'Bearer scope="repository:a:pull,push"',
    [{ scheme: 'bearer', params: { scope: 'repository:a:pull,push' } }],
  ],
  [
    'escaped quote',
    'Basic realm="say \\"hi\\""',
    [{ scheme: 'basic', params: { realm: 'say "hi"' } }],
  ],
  ['escaped backslash', 'Basic realm="a\\\\b"', [{ scheme: 'basic', params: { realm: 'a\\b' } }]],
  ['escaped ordinary char', 'Basic realm="\\a"', [{ scheme: 'basic', params: { realm: 'a' } }]],
  ['empty quoted value', 'Basic realm=""', [{ scheme: 'basic', params: { realm: '' } }]],
  [
    '= inside quotes',
    'Bearer realm="https://h/t?a=b"',
    [{ scheme: 'bearer', params: { realm: 'https://h/t?a=b' } }],
  ],
  [
    'space-separated scopes',
    'Bearer scope="repository:a:pull repository:b:pull"',
    [{ scheme: 'bearer', params: { scope: 'repository:a:pull repository:b:pull' } }],
  ],
  ['token68', 'Negotiate YIIB+w==', [{ scheme: 'negotiate', token68: 'YIIB+w==' }]],
  [
    'token68 then challenge',
    'Negotiate abc=, Basic realm="x"',
    [
      { scheme: 'negotiate', token68: 'abc=' },
      { scheme: 'basic', params: { realm: 'x' } },
    ],
  ],
  ['token68 url-safe chars', 'Foo a-b._~+/c', [{ scheme: 'foo', token68: 'a-b._~+/c' }]],
  [
    'error params',
    'Bearer realm="r",error="invalid_token",error_description="The access token expired"',
    [
      {
        scheme: 'bearer',
        params: {
          realm: 'r',
          error: 'invalid_token',
          error_description: 'The access token expired',
        },
      },
    ],
  ],
  [
    'utf-8 / obs-text in quotes',
    'Basic realm="café"',
    [{ scheme: 'basic', params: { realm: 'café' } }],
  ],
  [
    'tchar-heavy token value',
    "X a=!#$%&'*+-.^_`|~09",
    [{ scheme: 'x', params: { a: "!#$%&'*+-.^_`|~09" } }],
  ],
  [
    'param after empty elements',
    'Bearer realm="r",,  ,service=s',
    [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }],
  ],
  // Nothing to parse.
  ['empty string', '', []],
  ['only whitespace', '   ', []],
  ['only commas', ',,,', []],
  ['null', null, []],
  ['undefined', undefined, []],
  // Malformed and hostile: an empty list, never a throw.
  ['unterminated quote', 'Bearer realm="https://auth', []],
  ['unterminated after escape', 'Basic realm="abc\\', []],
  [
    'a lone name= is a token68 by the grammar',
    'Bearer realm=',
    [{ scheme: 'bearer', token68: 'realm=' }],
  ],
  ['missing value at the end of a list', 'Bearer realm="r", service=', []],
  ['missing value before comma', 'Bearer realm=,service=s', []],
  ['missing =', 'Bearer realm "x"', []],
  ['no space after scheme', 'Bearer"realm"', []],
  ['CR LF injection in quotes', 'Basic realm="a\r\nSet-Cookie: x"', []],
  ['NUL in quotes', 'Basic realm="a\u0000b"', []],
  ['DEL in quotes', 'Basic realm="a\u007fb"', []],
  ['garbage between challenges', 'Basic realm="a" junk "b"', []],
  [
    'duplicate realm (realm swap attempt)',
    `Bearer realm="${realm}", realm="https://evil.example/token"`,
    [],
  ],
  ['duplicate parameter in other case', 'Bearer realm="a", REALM="b"', []],
  ['quote in scheme position', '"Bearer" realm="x"', []],
  ['scheme with illegal char', 'Bear{er realm="x"', []],
  ['= as token68 alone', 'Basic =', []],
  ['too long', `Bearer realm="${'a'.repeat(20_000)}"`, []],
  ['characters above 0xff', 'Basic realm="\u2028"', []],
  ['token68 followed by params is garbage', 'Basic abc def=1', []],
]

const plain = (challenges: Challenge[]) =>
  challenges.map((c) => {
    const out: Record<string, unknown> = { scheme: c.scheme }
    const params = Object.entries(c.params)
    if (params.length) out.params = Object.fromEntries(params)
    if (c.token68 !== undefined) out.token68 = c.token68
    return out
  })

describe('parseWWWAuthenticate', () => {
  it('has a table of at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40)
  })

  it.each(cases)('%s', (_name, header, expected) => {
    const parsed = parseWWWAuthenticate(header)
    const want = expected.map((e) => {
      const out: Record<string, unknown> = { scheme: e.scheme }
      if (e.params) out.params = Object.fromEntries(Object.entries(e.params))
      if (e.token68 !== undefined) out.token68 = e.token68
      return out
    })
    expect(plain(parsed)).toEqual(want)
  })

  it('never pollutes prototypes', () => {
    const [c] = parseWWWAuthenticate('Bearer __proto__="polluted"')
    expect(Object.getPrototypeOf(c!.params)).toBe(null)
    expect(({} as any).polluted).toBeUndefined()
    expect(Object.getOwnPropertyDescriptor(c!.params, '__proto__')?.value).toBe('polluted')
  })

  it('finishes quickly on pathological input', () => {
    const inputs = [
      'Basic '.repeat(2500),
      `Bearer ${'a=b,'.repeat(3000)}`,
      `Bearer realm="${'\\"'.repeat(5000)}"`,
      ','.repeat(16_000),
    ]
    for (const input of inputs) {
      const started = performance.now()
      parseWWWAuthenticate(input)
      expect(performance.now() - started).toBeLessThan(500)
    }
  })
})
