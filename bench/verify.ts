// Verifications per second: @keyway/server's verifier against bare jose.jwtVerify with
// jose's own remote JWKS, same process, same token, same loopback JWKS endpoint, calls
// interleaved one by one for 3 s per row; verifications/s = 1 ÷ median call time. Rows for a small key set (3 keys, as providers serve) and a
// large one (2,000 keys), where jose filters the set on every call and keyway looks up an
// index built once per fetch.

import { createRemoteJWKSet, jwtVerify } from 'jose'
import { createVerifier, custom } from '../packages/server/src/index.js'
import { startJwksServer } from '../packages/server/test/jwks-server.js'
import { providerKey, providerMinter } from '../packages/server/test/tokens.js'
import { round, writeStage } from './support/stats.js'

const ISSUER = 'https://issuer.bench.test'
const AUDIENCE = 'bench-api'

export interface VerifyRow {
  keySet: string
  alg: string
  joseOpsPerSec: number
  keywayOpsPerSec: number
  /** keyway ÷ jose. */
  ratio: number
}

async function measure(keys: number, alg: 'ES256' | 'RS256'): Promise<VerifyRow> {
  const signer = await providerKey('signer', alg)
  const filler = Array.from({ length: keys - 1 }, (_, i) => ({ ...signer.jwk, kid: `filler-${i}` }))
  const jwks = await startJwksServer([...filler, signer.jwk])
  const token = await providerMinter({ issuer: ISSUER, audience: AUDIENCE, now: Date.now })(
    signer,
    {
      exp: Math.floor(Date.now() / 1000) + 3600,
    },
  )
  const remote = createRemoteJWKSet(new URL(jwks.url))
  const verifier = createVerifier({
    providers: [custom({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE })],
    jwks: { maxBodyBytes: 8 * 1024 * 1024 },
  })
  const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] }
  // Both caches filled before timing: this is the healthy path.
  await jwtVerify(token, remote, options)
  await verifier.verify(token)
  // Interleaved call by call, the order swapped each time, and the median call time of each:
  // on a shared machine the load changes within milliseconds, both calls meet the same load,
  // and a call preempted by another process does not move a median.
  const times = { jose: [] as number[], keyway: [] as number[] }
  const calls = {
    jose: () => jwtVerify(token, remote, options),
    keyway: () => verifier.verify(token),
  }
  const until = performance.now() + 3_000
  for (let run = 0; performance.now() < until; run++)
    for (const name of run % 2 ? (['keyway', 'jose'] as const) : (['jose', 'keyway'] as const)) {
      const started = performance.now()
      await calls[name]()
      times[name].push(performance.now() - started)
    }
  await jwks.close()
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!
  const [jose, keyway] = [1000 / median(times.jose), 1000 / median(times.keyway)]
  return {
    keySet: `${keys.toLocaleString('en-US')} key${keys === 1 ? '' : 's'}`,
    alg,
    joseOpsPerSec: Math.round(jose),
    keywayOpsPerSec: Math.round(keyway),
    ratio: round(keyway / jose, 2),
  }
}

const rows: VerifyRow[] = []
for (const [keys, alg] of [
  [3, 'ES256'],
  [3, 'RS256'],
  [2_000, 'ES256'],
] as const) {
  const row = await measure(keys, alg)
  console.log(
    `verify ${row.keySet} ${alg}: jose ${row.joseOpsPerSec}/s, keyway ${row.keywayOpsPerSec}/s (×${row.ratio})`,
  )
  rows.push(row)
}
writeStage('verify', { rows })
