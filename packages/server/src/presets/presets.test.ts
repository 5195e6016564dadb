import { readFileSync } from 'node:fs'
import { isKeywayError } from '@keyway/core'
import { createTestPlatform } from '@keyway/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type JwksServer, startJwksServer } from '../../test/jwks-server.js'
import { type ProviderKey, providerKey, providerMinter } from '../../test/tokens.js'
import { createVerifier } from '../verifier.js'
import * as presets from './index.js'
import type { ProviderConfig } from './preset.js'

// Expected values: the examples of the provider tables in the PowerSync, Neon Data API and
// Jazz docs (seeds 000–002), and each provider's documented issuer.
const cases: Array<[string, () => ProviderConfig, { jwksUrl: string; issuer: string }]> = [
  [
    'Supabase (project ref)',
    () => presets.supabase({ projectRef: 'abcd' }),
    {
      jwksUrl: 'https://abcd.supabase.co/auth/v1/.well-known/jwks.json',
      issuer: 'https://abcd.supabase.co/auth/v1',
    },
  ],
  [
    'Supabase (CLI url)',
    () => presets.supabase({ url: 'http://127.0.0.1:54321/' }),
    {
      jwksUrl: 'http://127.0.0.1:54321/auth/v1/.well-known/jwks.json',
      issuer: 'http://127.0.0.1:54321/auth/v1',
    },
  ],
  [
    'Firebase',
    () => presets.firebase({ projectId: 'my-app' }),
    {
      jwksUrl:
        'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
      issuer: 'https://securetoken.google.com/my-app',
    },
  ],
  [
    'Clerk',
    () => presets.clerk({ domain: 'https://example.clerk.accounts.dev/' }),
    {
      jwksUrl: 'https://example.clerk.accounts.dev/.well-known/jwks.json',
      issuer: 'https://example.clerk.accounts.dev',
    },
  ],
  [
    'WorkOS',
    () => presets.workos({ clientId: 'client_12345' }),
    {
      jwksUrl: 'https://api.workos.com/sso/jwks/client_12345',
      issuer: 'https://api.workos.com/user_management/client_12345',
    },
  ],
  [
    'Auth0',
    () => presets.auth0({ domain: 'dev-abc123.us.auth0.com', audience: 'https://api.example.com' }),
    {
      jwksUrl: 'https://dev-abc123.us.auth0.com/.well-known/jwks.json',
      issuer: 'https://dev-abc123.us.auth0.com/',
    },
  ],
  [
    'Better Auth',
    () => presets.betterAuth({ baseURL: 'https://app.example.com/' }),
    { jwksUrl: 'https://app.example.com/api/auth/jwks', issuer: 'https://app.example.com' },
  ],
  [
    'Cognito',
    () =>
      presets.cognito({ userPoolId: 'us-east-1_XXXXXXXXX', clientId: 'client-1', tokenUse: 'id' }),
    {
      jwksUrl:
        'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_XXXXXXXXX/.well-known/jwks.json',
      issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_XXXXXXXXX',
    },
  ],
  [
    'Azure AD',
    () =>
      presets.azureAd({
        tenantId: '12345678-1234-1234-1234-1234567890ab',
        audience: 'api://my-api',
      }),
    {
      jwksUrl:
        'https://login.microsoftonline.com/12345678-1234-1234-1234-1234567890ab/discovery/v2.0/keys',
      issuer: 'https://login.microsoftonline.com/12345678-1234-1234-1234-1234567890ab/v2.0',
    },
  ],
  [
    'Keycloak (legacy /auth root)',
    () =>
      presets.keycloak({ url: 'https://sso.example.com/auth', realm: 'main', audience: 'my-api' }),
    {
      jwksUrl: 'https://sso.example.com/auth/realms/main/protocol/openid-connect/certs',
      issuer: 'https://sso.example.com/auth/realms/main',
    },
  ],
  [
    'Google',
    () => presets.google({ clientId: 'c1.apps.googleusercontent.com' }),
    {
      jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
      issuer: 'https://accounts.google.com',
    },
  ],
  [
    'Stytch (test)',
    () => presets.stytch({ projectId: 'my-awesome-project' }),
    {
      jwksUrl: 'https://test.stytch.com/v1/sessions/jwks/my-awesome-project',
      issuer: 'stytch.com/my-awesome-project',
    },
  ],
  [
    'Stytch (live)',
    () => presets.stytch({ projectId: 'p', live: true }),
    { jwksUrl: 'https://live.stytch.com/v1/sessions/jwks/p', issuer: 'stytch.com/p' },
  ],
  [
    'SuperTokens',
    () =>
      presets.superTokens({
        coreUrl: 'https://try.supertokens.io',
        apiDomain: 'https://api.example.com',
      }),
    {
      jwksUrl: 'https://try.supertokens.io/.well-known/jwks.json',
      issuer: 'https://api.example.com/auth',
    },
  ],
  [
    'Descope',
    () => presets.descope({ projectId: 'P1234' }),
    {
      jwksUrl: 'https://api.descope.com/P1234/.well-known/jwks.json',
      issuer: 'https://api.descope.com/P1234',
    },
  ],
  [
    'PropelAuth',
    () => presets.propelAuth({ authUrl: 'https://3211758.propelauthtest.com' }),
    {
      jwksUrl: 'https://3211758.propelauthtest.com/.well-known/jwks.json',
      issuer: 'https://3211758.propelauthtest.com',
    },
  ],
  [
    'Stack Auth',
    () => presets.stackAuth({ projectId: 'my-awesome-project' }),
    {
      jwksUrl:
        'https://api.stack-auth.com/api/v1/projects/my-awesome-project/.well-known/jwks.json',
      issuer: 'https://api.stack-auth.com/api/v1/projects/my-awesome-project',
    },
  ],
]

const firstIssuer = (c: ProviderConfig) => ([] as string[]).concat(c.issuer)[0]!

describe('provider presets', () => {
  for (const [name, make, expected] of cases)
    it(`${name}: JWKS URL and issuer as the provider documents them`, () => {
      const config = make()
      expect(config.jwksUrl).toBe(expected.jwksUrl)
      expect(firstIssuer(config)).toBe(expected.issuer)
      expect(config.id).toMatch(/^[a-z][a-z0-9-]*$/)
    })

  it('every preset in PRESETS has a factory, and every factory a PRESETS entry', () => {
    const factories = Object.keys(presets).filter((k) => k !== 'PRESETS' && k !== 'custom')
    expect(presets.PRESETS).toHaveLength(factories.length)
    expect(new Set(presets.PRESETS.map((p) => p.id)).size).toBe(presets.PRESETS.length)
    const built = cases.map(([, make]) => make().id)
    for (const data of presets.PRESETS) expect(built).toContain(data.id)
  })

  it('Firebase and Google check their required audience, Supabase its fixed one', () => {
    expect(presets.firebase({ projectId: 'p1' })).toMatchObject({
      audience: 'p1',
      audienceRequired: true,
    })
    expect(presets.google({ clientId: 'c1' })).toMatchObject({
      audience: 'c1',
      audienceRequired: true,
    })
    expect(presets.supabase({ projectRef: 'r' }).audience).toBe('authenticated')
    expect(presets.betterAuth({ baseURL: 'https://a.example/x' }).audience).toBe(
      'https://a.example',
    )
  })

  it('options are merged over the preset; preset parameters stay out of the config', () => {
    const config = presets.clerk({ domain: 'x.clerk.accounts.dev', audience: 'my-api' })
    expect(config.audience).toBe('my-api')
    expect(config.issuer).toBe('https://x.clerk.accounts.dev')
    expect(config).not.toHaveProperty('domain')
    const custom = presets.workos({ clientId: 'c', issuer: 'https://auth.example.com' })
    expect(custom.issuer).toBe('https://auth.example.com')
    expect(custom.jwksUrl).toBe('https://api.workos.com/sso/jwks/c')
  })

  it('a missing parameter or a missing required audience is ERR_CONFIG', () => {
    const refusals = [
      () => presets.clerk({} as never),
      () => presets.firebase({ projectId: '' }),
      () => presets.google({ clientId: 'c1', audience: '' }),
      () => presets.supabase({}),
      () =>
        presets.custom({ jwksUrl: 'https://x/jwks', issuer: 'https://x', audienceRequired: true }),
      () => presets.custom({ jwksUrl: 'not a url', issuer: 'https://x' }),
      () => presets.custom({ jwksUrl: 'file:///etc/passwd', issuer: 'https://x' }),
      () => presets.custom({ id: 'Bad Id', jwksUrl: 'https://x/jwks', issuer: 'https://x' }),
      () => presets.custom({ jwksUrl: 'https://x/jwks', issuer: [] }),
    ]
    for (const make of refusals) {
      let error: unknown
      try {
        make()
      } catch (e) {
        error = e
      }
      expect(isKeywayError(error, 'ERR_CONFIG'), String(make)).toBe(true)
    }
  })
})

describe('each preset verifies its own tokens (JWKS served on loopback)', () => {
  const t = createTestPlatform({ startWall: Date.UTC(2026, 5, 1) })
  let key: ProviderKey
  let jwks: JwksServer
  beforeAll(async () => {
    key = await providerKey('k', 'RS256')
    jwks = await startJwksServer([key.jwk])
  })
  afterAll(() => jwks.close())

  for (const [name, make] of cases)
    it(`${name}: its issuer routes, its audience is enforced`, async () => {
      const config = { ...make(), jwksUrl: jwks.url }
      const verifier = createVerifier({ providers: [config], now: t.clock.wallNow })
      const audience = ([] as string[]).concat(config.audience ?? 'anything')[0]
      const mint = providerMinter({ issuer: firstIssuer(config), audience, now: t.clock.wallNow })
      // token_use: Cognito's pinned claim (tokenUse 'id' in its case above); others ignore it.
      const result = await verifier.verify(await mint(key, { sub: 'user_42', token_use: 'id' }))
      expect(result).toMatchObject({ userId: 'user_42', providerId: config.id })
      if (config.audience !== undefined)
        await expect(
          verifier.verify(await mint(key, { aud: 'someone-else' })),
        ).rejects.toMatchObject({
          reason: 'bad_audience',
        })
    })
})

/** The docs table, generated from the preset data. */
function presetTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|')
  const code = (text: string) => `\`${cell(text)}\``
  const rows = presets.PRESETS.map((p) =>
    [
      code(p.call),
      code(p.jwksUrl),
      ([] as string[]).concat(p.issuer).map(code).join(' or '),
      cell(
        p.audience && !p.audienceRule.includes(p.audience)
          ? `${p.audienceRule} (\`${p.audience}\`)`
          : p.audienceRule,
      ),
      cell(p.sub),
    ].join(' | '),
  )
  return [
    '| preset | JWKS URL | issuer (`iss`) | audience (`aud`) | `sub` |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '| `custom({ jwksUrl, issuer, audience? })` | yours | yours | yours | yours |',
  ].join('\n')
}

it('docs/server.md shows the preset table generated from this data', () => {
  const doc = readFileSync(new URL('../../../../docs/server.md', import.meta.url), 'utf8')
  const section = /<!-- presets:start -->\n([\s\S]*?)\n<!-- presets:end -->/.exec(doc)?.[1]
  const normalize = (table: string) =>
    table
      .split('\n')
      .map((line) =>
        line
          .split(/(?<!\\)\|/)
          .map((c) => c.trim().replace(/^-+$/, '---'))
          .join('|'),
      )
      .join('\n')
  expect(normalize(section ?? ''), `expected table:\n${presetTable()}`).toBe(
    normalize(presetTable()),
  )
})
