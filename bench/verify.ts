// Verifications per second: @keyway/server's verifier against bare jose.jwtVerify with
// jose's own remote JWKS, same process, same token, same loopback JWKS endpoint, tinybench
// tasks alternated over six rounds of one run. Rows for a small key set (3 keys, as providers serve) and a
// large one (2,000 keys), where jose filters the set on every call and keyway looks up an
// index built once per fetch.

import { createRemoteJWKSet, jwtVerify } from 'jose'
import { Bench } from 'tinybench'
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
  // Six short rounds, the order swapped each time, median of each: a shared machine's load
  // changes within seconds, and must not favour whichever task ran in the quiet moment.
  const tasks = {
    jose: () => jwtVerify(token, remote, options),
    keyway: () => verifier.verify(token),
  }
  const samples: Record<keyof typeof tasks, number[]> = { jose: [], keyway: [] }
  for (let round = 0; round < 6; round++) {
    const bench = new Bench({ time: 400, warmupTime: 100 })
    const order = round % 2 ? (['keyway', 'jose'] as const) : (['jose', 'keyway'] as const)
    for (const name of order) bench.add(name, tasks[name])
    await bench.run()
    for (const name of order) {
      const result = bench.getTask(name)!.result
      if (result.state !== 'completed') throw new Error(`${name}: ${result.state}`)
      samples[name].push(1000 / result.period)
    }
  }
  await jwks.close()
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!
  const [jose, keyway] = [median(samples.jose), median(samples.keyway)]
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
