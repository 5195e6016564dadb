import { UnsecuredJWT } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { configError, refusal, wallClock } from '../test/corpus.js'
import { type JwksServer, startJwksServer } from '../test/jwks-server.js'
import { guestDevice, type ProviderKey, providerKey, providerMinter } from '../test/tokens.js'
import { auth0, azureAd, cognito, custom, firebase, keycloak } from './presets/index.js'
import type { ProviderConfig } from './presets/preset.js'
import { createVerifier } from './verifier.js'

// The attack corpus, part 4: attacks that only configuration can stop. Issuers that serve
// many apps (RFC 8725 §3.9), unsigned emulator tokens, and user ids of one provider posing
// as another's or as a guest's.

const clock = wallClock(Date.UTC(2026, 5, 1, 12))
let key: ProviderKey
let jwks: JwksServer

beforeAll(async () => {
  key = await providerKey('k', 'RS256')
  jwks = await startJwksServer([key.jwk])
})
afterAll(() => jwks.close())
afterEach(() => {
  vi.unstubAllEnvs()
})

const local = (config: ProviderConfig) => ({ ...config, jwksUrl: jwks.url })
const issuerOf = (config: ProviderConfig) => ([] as string[]).concat(config.issuer)[0]!
const verifierFor = (...providers: ProviderConfig[]) =>
  createVerifier({ providers: providers.map(local), now: clock.now })
const minterFor = (config: ProviderConfig) =>
  providerMinter({ issuer: issuerOf(config), now: clock.now })

describe('attack corpus: issuers that serve many apps require an audience', () => {
  const refusals: Array<[string, () => unknown]> = [
    ['Azure AD / Entra without audience', () => azureAd({ tenantId: 't1' })],
    ['Auth0 without audience', () => auth0({ domain: 'x.auth0.com' })],
    ['Cognito without clientId', () => cognito({ userPoolId: 'us-east-1_X' } as never)],
    ['Keycloak without audience', () => keycloak({ url: 'https://sso.test', realm: 'r' })],
    ['Azure AD with an empty audience', () => azureAd({ tenantId: 't1', audience: '' })],
    ['Auth0 with an empty audience list', () => auth0({ domain: 'x.auth0.com', audience: [] })],
  ]
  for (const [name, make] of refusals)
    it(`${name} → ERR_CONFIG`, () => {
      expect(configError(make)).toBe(true)
    })

  it('Azure AD: a token minted for another app of the tenant → bad_audience', async () => {
    const config = azureAd({ tenantId: 't1', audience: 'api://mine' })
    const mint = minterFor(config)
    const v = verifierFor(config)
    expect((await v.verify(await mint(key, { aud: 'api://mine' }))).userId).toBe('user_1')
    expect((await refusal(v, await mint(key, { aud: 'api://other-app' }))).reason).toBe(
      'bad_audience',
    )
  })

  it("Auth0: another client's ID token → bad_audience", async () => {
    const config = auth0({ domain: 'x.auth0.com', audience: 'https://api.mine' })
    const v = verifierFor(config)
    const mint = minterFor(config)
    expect((await refusal(v, await mint(key, { aud: 'other-client-id' }))).reason).toBe(
      'bad_audience',
    )
  })

  it('Keycloak: a token of another client of the realm → bad_audience', async () => {
    const config = keycloak({ url: 'https://sso.test', realm: 'r', audience: 'my-api' })
    const v = verifierFor(config)
    expect((await refusal(v, await minterFor(config)(key, { aud: 'account' }))).reason).toBe(
      'bad_audience',
    )
  })

  describe('Cognito pins token_use and the app client', () => {
    const access = () => cognito({ userPoolId: 'us-east-1_X', clientId: 'mine' })
    const id = () => cognito({ userPoolId: 'us-east-1_X', clientId: 'mine', tokenUse: 'id' })
    it('positive control: an access token of the app client verifies', async () => {
      const mint = minterFor(access())
      expect(
        (
          await verifierFor(access()).verify(
            await mint(key, { token_use: 'access', client_id: 'mine' }),
          )
        ).userId,
      ).toBe('user_1')
    })
    it('positive control: an ID token of the app client verifies (tokenUse: id)', async () => {
      const mint = minterFor(id())
      expect(
        (await verifierFor(id()).verify(await mint(key, { token_use: 'id', aud: 'mine' }))).userId,
      ).toBe('user_1')
    })
    it('an ID token where access tokens are expected → claim_mismatch', async () => {
      const token = await minterFor(access())(key, {
        token_use: 'id',
        aud: 'mine',
        client_id: 'mine',
      })
      expect((await refusal(verifierFor(access()), token)).reason).toBe('claim_mismatch')
    })
    it('an access token where ID tokens are expected → bad_audience', async () => {
      const token = await minterFor(id())(key, { token_use: 'access', client_id: 'mine' })
      expect((await refusal(verifierFor(id()), token)).reason).toBe('bad_audience')
    })
    it('an access token where ID tokens are expected, aud forged in → claim_mismatch', async () => {
      const token = await minterFor(id())(key, { token_use: 'access', aud: 'mine' })
      expect((await refusal(verifierFor(id()), token)).reason).toBe('claim_mismatch')
    })
    it("another app client's access token → claim_mismatch", async () => {
      const token = await minterFor(access())(key, { token_use: 'access', client_id: 'theirs' })
      expect((await refusal(verifierFor(access()), token)).reason).toBe('claim_mismatch')
    })
    it('an access token without token_use → claim_mismatch', async () => {
      const token = await minterFor(access())(key, { client_id: 'mine' })
      expect((await refusal(verifierFor(access()), token)).reason).toBe('claim_mismatch')
    })
  })
})

describe('attack corpus: Firebase Auth emulator tokens (unsigned)', () => {
  const emulatorToken = (aud = 'demo-keyway') =>
    new UnsecuredJWT({ user_id: 'u1' })
      .setIssuer('https://securetoken.google.com/demo-keyway')
      .setAudience(aud)
      .setSubject('u1')
      .setIssuedAt(clock.sec())
      .setExpirationTime(clock.sec() + 3600)
      .encode()
  const dev = () =>
    createVerifier({
      providers: [firebase({ projectId: 'demo-keyway', emulator: true })],
      now: clock.now,
    })

  it('refused without emulator: true → alg_none', async () => {
    const strict = createVerifier({
      providers: [firebase({ projectId: 'demo-keyway' })],
      now: clock.now,
    })
    expect((await refusal(strict, emulatorToken())).reason).toBe('alg_none')
  })
  it('positive control: accepted with emulator: true under NODE_ENV=test', async () => {
    expect((await dev().verify(emulatorToken())).userId).toBe('u1')
  })
  it('emulator tokens for another project → bad_audience', async () => {
    expect((await refusal(dev(), emulatorToken('another-project'))).reason).toBe('bad_audience')
  })
  for (const mode of ['production', 'staging', ''])
    it(`emulator: true with NODE_ENV=${mode || '(unset)'} refuses to start → ERR_CONFIG`, () => {
      vi.stubEnv('NODE_ENV', mode)
      vi.stubEnv('FIREBASE_AUTH_EMULATOR_HOST', '')
      expect(configError(dev)).toBe(true)
      expect(configError(() => createVerifier({ providers: [firebase({ projectId: 'p' })] }))).toBe(
        false,
      )
    })
  it('emulator: true outside development starts when FIREBASE_AUTH_EMULATOR_HOST says so', () => {
    vi.stubEnv('NODE_ENV', 'production')
    vi.stubEnv('FIREBASE_AUTH_EMULATOR_HOST', '127.0.0.1:9099')
    expect(configError(dev)).toBe(false)
  })
  it('emulator: true on custom() → ERR_CONFIG', () => {
    const make = () =>
      createVerifier({
        providers: [custom({ jwksUrl: jwks.url, issuer: 'https://x.test', emulator: true })],
      })
    expect(configError(make)).toBe(true)
  })
  it('emulator: true on a custom provider named firebase with another issuer → ERR_CONFIG', () => {
    const make = () =>
      createVerifier({
        providers: [
          custom({ id: 'firebase', jwksUrl: jwks.url, issuer: 'https://x.test', emulator: true }),
        ],
      })
    expect(configError(make)).toBe(true)
  })
  it('emulator: true on another preset (Auth0) → ERR_CONFIG', () => {
    const make = () =>
      createVerifier({
        providers: [auth0({ domain: 'x.auth0.com', audience: 'a', emulator: true })],
      })
    expect(configError(make)).toBe(true)
  })
})

describe('attack corpus: identity namespaces', () => {
  const A = 'https://a.keyway.test'
  const B = 'https://b.keyway.test'
  const a = () => custom({ id: 'alpha', jwksUrl: jwks.url, issuer: A })
  const b = () => custom({ id: 'beta', jwksUrl: jwks.url, issuer: B, namespace: 'beta' })

  it('two providers without a namespace → ERR_CONFIG (their ids could collide)', () => {
    expect(
      configError(() => verifierFor(a(), custom({ id: 'beta', jwksUrl: jwks.url, issuer: B }))),
    ).toBe(true)
  })
  it('two providers with one namespace → ERR_CONFIG', () => {
    expect(configError(() => verifierFor({ ...a(), namespace: 'beta' }, b()))).toBe(true)
  })
  it('a namespace that is not ^[a-z][a-z0-9-]*$ → ERR_CONFIG', () => {
    expect(configError(() => verifierFor(a(), { ...b(), namespace: 'Beta:' }))).toBe(true)
  })
  it('the same sub from two providers gives two user ids', async () => {
    const v = verifierFor(a(), b())
    const fromA = await v.verify(
      await providerMinter({ issuer: A, now: clock.now })(key, { sub: 'user_1' }),
    )
    const fromB = await v.verify(
      await providerMinter({ issuer: B, now: clock.now })(key, { sub: 'user_1' }),
    )
    expect([fromA.userId, fromB.userId]).toEqual(['user_1', 'beta:user_1'])
  })
  it("a namespaced provider's sub chosen as a guest's id stays in its namespace", async () => {
    const guest = await guestDevice(clock.now)
    const v = verifierFor(a(), b())
    const token = await providerMinter({ issuer: B, now: clock.now })(key, { sub: guest.id })
    expect((await v.verify(token)).userId).toBe(`beta:${guest.id}`)
  })
  it("the bare provider's sub chosen as the other provider's qualified id → reserved_sub", async () => {
    const v = verifierFor(a(), b())
    const token = await providerMinter({ issuer: A, now: clock.now })(key, { sub: 'beta:user_1' })
    expect((await refusal(v, token)).reason).toBe('reserved_sub')
  })
  it("the bare provider's sub chosen as a guest id → reserved_sub", async () => {
    const guest = await guestDevice(clock.now)
    const v = verifierFor(a(), b())
    const token = await providerMinter({ issuer: A, now: clock.now })(key, { sub: guest.id })
    expect((await refusal(v, token)).reason).toBe('reserved_sub')
  })
  it('two providers claiming one issuer → ERR_CONFIG', () => {
    expect(configError(() => verifierFor(a(), { ...b(), issuer: A }))).toBe(true)
  })
  it("a provider claiming keyway's guest issuer → ERR_CONFIG", () => {
    expect(configError(() => verifierFor({ ...a(), issuer: 'urn:keyway:anonymous' }))).toBe(true)
  })
})
