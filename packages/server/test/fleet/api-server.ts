// One API server of the fleet test: the link endpoints over a shared PostgreSQL, on a free
// port on 127.0.0.1. Started as its own Node process by fleet.test.ts; prints its port.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { createLinkHandler } from '../../src/link-handler.js'
import { toNodeHandler } from '../../src/node-adapter.js'
import { custom } from '../../src/presets/index.js'
import { postgresLinkStore } from '../../src/stores/postgres.js'
import { createVerifier } from '../../src/verifier.js'

function env(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}
const [PG_URL, JWKS_URL, ISSUER, LINK_AUD] = ['PG_URL', 'JWKS_URL', 'ISSUER', 'LINK_AUD'].map(
  env,
) as [string, string, string, string]
const pool = new pg.Pool({ connectionString: PG_URL, max: 8 })
const store = postgresLinkStore((sql, params) => pool.query(sql, params))
const verifier = createVerifier({
  providers: [custom({ jwksUrl: JWKS_URL, issuer: ISSUER })],
  anonymous: { audience: 'fleet-api' },
})
const links = createLinkHandler({ verifier, store, linkAudience: LINK_AUD })
const server = createServer(toNodeHandler((request) => links.handle(request)))
server.keepAliveTimeout = 60_000
server.headersTimeout = 65_000
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`)
})
process.on('SIGTERM', () => {
  server.close()
  server.closeAllConnections()
  void pool.end().finally(() => process.exit(0))
})
