// Cached token throughput: keyway's getToken() against each provider SDK's own cached call, in
// one process, with tinybench. Real SDKs against local servers: supabase-js against the GoTrue
// HTTP double, firebase against the real Auth emulator, Better Auth's client against a real
// Better Auth server in-process. Better Auth's token() has no client cache: every call is an
// HTTP request to the server, which is what it is measured as.

import { Bench } from 'tinybench'
import { betterAuthConnector } from '../packages/better-auth/src/index.js'
import { startBetterAuth } from '../packages/better-auth/test/better-auth-server.js'
import { cookieFetch } from '../packages/better-auth/test/cookie-fetch.js'
import { createSession, type Session } from '../packages/core/src/index.js'
import { firebaseConnector } from '../packages/firebase/src/index.js'
import { PROJECT_ID, startAuthEmulator } from '../packages/firebase/test/auth-emulator.js'
import { type SupabaseAuthLike, supabaseConnector } from '../packages/supabase/src/index.js'
import { startGoTrueDouble } from '../packages/supabase/test/gotrue-double.js'
import { importFrom, resolveEntry } from './support/resolve-entry.mjs'
import { round, writeStage } from './support/stats.js'

type FirebaseAuth = Parameters<typeof firebaseConnector>[0]
type BetterAuthClient = Parameters<typeof betterAuthConnector>[0] & {
  signUp: { email(body: { email: string; password: string; name: string }): Promise<unknown> }
}

const PASSWORD = 'correct horse battery'

interface Pair {
  provider: string
  sdkCall: string
  sdkVersion: string
  note: string
  sdk: () => Promise<unknown>
  session: Session
  close: () => Promise<void>
}

async function supabasePair(): Promise<Pair> {
  const gotrue = await startGoTrueDouble()
  const { createClient } = (await importFrom('@supabase/supabase-js', 'packages/supabase')) as {
    createClient(url: string, key: string, options: object): SupabaseAuthLike
  }
  const data = new Map<string, string>()
  const client = createClient(gotrue.url, 'anon-key-for-the-double', {
    auth: {
      autoRefreshToken: false,
      persistSession: true,
      storage: {
        getItem: (k: string) => data.get(k) ?? null,
        setItem: (k: string, v: string) => void data.set(k, v),
        removeItem: (k: string) => void data.delete(k),
      },
    },
    realtime: { transport: class NoRealtime {} },
  })
  const { error } = await client.auth.signUp({ email: 'bench@keyway.test', password: PASSWORD })
  if (error) throw error
  const session = createSession({ connector: supabaseConnector(client) })
  return {
    provider: 'supabase',
    sdkCall: 'supabase.auth.getSession()',
    sdkVersion: resolveEntry('@supabase/supabase-js', 'packages/supabase').version,
    note: 'signed-in session in memory storage; GoTrue HTTP double',
    sdk: () => client.auth.getSession(),
    session,
    close: () => gotrue.close(),
  }
}

async function firebasePair(): Promise<Pair> {
  const emulator = await startAuthEmulator()
  const app = (await importFrom('firebase/app', 'packages/firebase')) as {
    initializeApp(options: object, name: string): unknown
  }
  const fb = (await importFrom('firebase/auth', 'packages/firebase')) as {
    initializeAuth(app: unknown, deps: object): FirebaseAuth
    inMemoryPersistence: unknown
    connectAuthEmulator(auth: FirebaseAuth, url: string, options: object): void
    createUserWithEmailAndPassword(auth: FirebaseAuth, email: string, pw: string): Promise<unknown>
  }
  const auth = fb.initializeAuth(
    app.initializeApp({ apiKey: 'demo-api-key', projectId: PROJECT_ID }, 'bench'),
    { persistence: fb.inMemoryPersistence },
  )
  fb.connectAuthEmulator(auth, `http://127.0.0.1:${emulator.port}`, { disableWarnings: true })
  await fb.createUserWithEmailAndPassword(auth, 'bench@keyway.test', PASSWORD)
  const user = auth.currentUser!
  const session = createSession({ connector: firebaseConnector(auth) })
  return {
    provider: 'firebase',
    sdkCall: 'user.getIdToken()',
    sdkVersion: resolveEntry('firebase/auth', 'packages/firebase').version,
    note: 'user signed in to the real Auth emulator (firebase-tools)',
    sdk: () => user.getIdToken(),
    session,
    close: () => emulator.stop(),
  }
}

async function betterAuthPair(): Promise<Pair> {
  const server = await startBetterAuth()
  const { createAuthClient } = (await importFrom('better-auth/client', 'packages/better-auth')) as {
    createAuthClient(options: object): BetterAuthClient
  }
  const { jwtClient } = (await importFrom(
    'better-auth/client/plugins',
    'packages/better-auth',
  )) as {
    jwtClient(): unknown
  }
  const client = createAuthClient({
    baseURL: server.url,
    plugins: [jwtClient()],
    fetchOptions: { customFetchImpl: cookieFetch() },
  })
  await client.signUp.email({ email: 'bench@keyway.test', password: PASSWORD, name: 'bench' })
  const session = createSession({ connector: betterAuthConnector(client) })
  return {
    provider: 'better-auth',
    sdkCall: 'authClient.token()',
    sdkVersion: resolveEntry('better-auth/client', 'packages/better-auth').version,
    note: 'real Better Auth server in-process; token() is an HTTP request every time (no client cache)',
    sdk: () => client.token(),
    session,
    close: () => server.close(),
  }
}

export interface ThroughputRow {
  provider: string
  sdkCall: string
  sdkVersion: string
  note: string
  sdkOpsPerSec: number
  keywayOpsPerSec: number
  sdkLatencyMeanUs: number
  keywayLatencyMeanUs: number
  /** keyway ops/s ÷ SDK ops/s. */
  ratio: number
}

function stats(bench: Bench, name: string) {
  const task = bench.getTask(name)!
  const result = task.result
  if (result.state !== 'completed') throw new Error(`${name}: ${result.state}`)
  // Runs over total time: sub-microsecond calls saturate per-sample timers, the sum does not.
  return { ops: 1000 / result.period, latencyUs: result.period * 1000 }
}

async function measure(pair: Pair): Promise<ThroughputRow> {
  // Both must be warm and signed in before the clock starts.
  const first = await pair.session.getToken()
  if (!first) throw new Error(`${pair.provider}: no token`)
  await pair.sdk()
  const bench = new Bench({ time: 1_500, warmupTime: 300 })
  bench.add(`sdk`, () => pair.sdk()).add(`keyway`, () => pair.session.getToken())
  await bench.run()
  const sdk = stats(bench, 'sdk')
  const keyway = stats(bench, 'keyway')
  return {
    provider: pair.provider,
    sdkCall: pair.sdkCall,
    sdkVersion: pair.sdkVersion,
    note: pair.note,
    sdkOpsPerSec: Math.round(sdk.ops),
    keywayOpsPerSec: Math.round(keyway.ops),
    sdkLatencyMeanUs: round(sdk.latencyUs),
    keywayLatencyMeanUs: round(keyway.latencyUs),
    ratio: round(keyway.ops / sdk.ops, 1),
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const rows: ThroughputRow[] = []
  for (const make of [supabasePair, firebasePair, betterAuthPair]) {
    const started = performance.now()
    const pair = await make()
    try {
      const row = await measure(pair)
      rows.push(row)
      console.log(
        `throughput ${row.provider}: sdk ${row.sdkOpsPerSec} ops/s, keyway ${row.keywayOpsPerSec} ops/s (×${row.ratio}), ${Math.round(performance.now() - started)} ms`,
      )
    } finally {
      pair.session.dispose()
      await pair.close()
    }
  }
  writeStage('throughput', { rows })
  // Provider SDKs leave pollers and sockets behind; the numbers are written.
  process.exit(0)
}
