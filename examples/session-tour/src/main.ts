/**
 * A tour of one keyway Session against real local servers: a token endpoint issuing
 * short-lived ES256 JWTs, and an API that verifies them against the issuer's JWKS.
 *
 *   pnpm demo:tour            the tour at human speed (20 s tokens), printing every state change
 *   pnpm demo:tour --smoke    the same steps with 3 s tokens; exits 0 only if every step happened
 */
import { authFetch, createSession, isKeywayError, type SessionSnapshot } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { startTourServers } from './servers.js'

const smoke = process.argv.includes('--smoke')
const lifetimeSec = smoke ? 3 : 20
const started = Date.now()
const clock = () => `t+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`
const say = (line: string) => console.log(`${clock()}  ${line}`)
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`step did not happen in time: ${what}`)
    await wait(50)
  }
}

function describe(s: SessionSnapshot): string {
  const left =
    s.expiresAt === null
      ? '—'
      : `${Math.max(0, (s.expiresAt - Date.now()) / 1000).toFixed(1)}s left`
  const error = s.lastError ? `  lastError=${s.lastError.code}` : ''
  return `status=${s.status.padEnd(13)} user=${s.userId ?? '—'}  ${left}  refreshing=${s.refreshing}  fetches=${s.counters.fetches}${error}`
}

async function main(): Promise<void> {
  const servers = await startTourServers({ lifetimeSec })
  say(`token endpoint ${servers.tokenUrl}`)
  say(`API            ${servers.apiUrl} (verifies against ${servers.jwksUrl})`)

  const session = createSession({
    connector: httpConnector({ url: servers.tokenUrl }),
    // The tour packs a minute of events into seconds: its tokens live 20 s (3 s in smoke
    // mode), so the policy numbers meant for real token lifetimes are scaled down with them.
    ...(smoke
      ? { minLeadMs: 1_000, minRemainingMs: 500, backoffBaseMs: 200, maxCallsPerMinute: 60 }
      : { maxCallsPerMinute: 20 }),
  })
  let last = ''
  session.subscribe(() => {
    const line = describe(session.getSnapshot())
    if (line !== last) say(line)
    last = line
  })
  const api = authFetch(session)
  const steps: string[] = []
  const step = (name: string) => {
    steps.push(name)
    say(`✔ ${name}`)
  }

  try {
    // 1. First credentials.
    await session.getToken()
    step('initial fetch: authenticated')

    // 2. A verified API call.
    const notes = await api(`${servers.apiUrl}/notes`)
    if (notes.status !== 200) throw new Error(`API answered ${notes.status}`)
    step(`API verified the token: ${JSON.stringify(await notes.json())}`)

    // 3. Two proactive refreshes, before expiry, without anyone asking.
    const issued = servers.issued()
    await until(
      'two proactive refreshes',
      () => servers.issued() >= issued + 2,
      lifetimeSec * 3_000,
    )
    step(`two proactive refreshes (${servers.issued()} tokens issued so far)`)

    // 4. The API rejects the current token once: authFetch reports it and retries with a new one.
    servers.rejectNextRequest()
    const retried = await api(`${servers.apiUrl}/notes`)
    if (retried.status !== 200) throw new Error(`retry after 401 answered ${retried.status}`)
    step(
      `forced 401 recovered: ${session.getSnapshot().counters.rejections} rejection, retried once`,
    )

    // 5. The provider goes down: the session keeps its valid token, backs off, then recovers.
    servers.outage(true)
    say('provider outage begins (token endpoint answers 503)')
    const failuresBefore = session.getSnapshot().counters.failures
    await until(
      'failed refresh attempts during the outage',
      () => session.getSnapshot().counters.failures >= failuresBefore + 2,
      lifetimeSec * 3_000,
    )
    const status = session.getSnapshot().status
    if (status === 'signedOut') throw new Error('a transient outage signed the user out')
    servers.outage(false)
    say('provider outage ends')
    await until(
      'recovery after the outage',
      () =>
        session.getSnapshot().status === 'authenticated' &&
        session.getSnapshot().lastError === null,
      70_000,
    )
    step(
      `outage survived with status ${status}, ${session.getSnapshot().counters.failures - failuresBefore} backed-off failures`,
    )

    // 6. Sign-out: the endpoint now says nobody is signed in.
    servers.signOut()
    await session.signOut()
    try {
      await session.getToken()
      throw new Error('getToken answered after sign-out')
    } catch (e) {
      if (!isKeywayError(e, 'ERR_SIGNED_OUT')) throw e
    }
    step('signed out: getToken() rejects with ERR_SIGNED_OUT')
  } finally {
    session.dispose()
    await servers.close()
  }
  say(`all ${steps.length} steps happened`)
  if (smoke && steps.length !== 6) throw new Error(`only ${steps.length} of 6 steps happened`)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`${clock()}  ✘ ${(error as Error).message}`)
    process.exit(1)
  },
)
