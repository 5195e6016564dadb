import { decodeJwt, redactToken } from '@keyway/core'
import { useAuthState, useSession, useToken } from '@keyway/react'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { api, authClient, upgradeEvents } from './keyway.js'

interface Note {
  id: number
  owner: string
  body: string
}

/** The token's `email` claim (Better Auth puts the user in the JWT), for a header people can read. */
function emailOf(token: string | null): string | undefined {
  if (!token) return undefined
  try {
    const { email } = decodeJwt(token).payload
    return typeof email === 'string' ? email : undefined
  } catch {
    return undefined
  }
}

/** When the session last refreshed a token it held (proactive or wake), here or in another tab. */
function useLastRefresh(): number | null {
  const session = useSession()
  const [at, setAt] = useState<number | null>(null)
  useEffect(
    () =>
      session.inspect((e) => {
        const refresh =
          e.type === 'credentials' &&
          (e.from === 'tab' || e.reason === 'proactive' || e.reason === 'wake')
        if (refresh) setAt(e.at)
      }),
    [session],
  )
  return at
}

export function App() {
  const session = useSession()
  const state = useAuthState()
  // The token itself, re-rendering only when it changes (what a WebSocket or Jazz would take).
  const token = useToken()
  const lastRefresh = useLastRefresh()
  const [notes, setNotes] = useState<Note[]>([])
  const [message, setMessage] = useState('')
  const [upgraded, setUpgraded] = useState('')

  // Reload whenever the user changes (guest → account, sign-out → new guest).
  const load = useCallback(async () => {
    const signedIn = state.status === 'anonymous' || state.status === 'authenticated'
    if (!signedIn || !state.userId) return setNotes([])
    const res = await api('/api/notes')
    if (res.ok) setNotes(((await res.json()) as { notes: Note[] }).notes)
  }, [state.status, state.userId])

  useEffect(() => {
    void load()
  }, [load])

  useEffect(() => {
    const onUpgrade = (e: Event) => {
      const { outcome } = (e as CustomEvent).detail
      setUpgraded(`Your guest notes are now your account's (upgrade ${outcome}).`)
      void load()
    }
    upgradeEvents.addEventListener('upgraded', onUpgrade)
    return () => upgradeEvents.removeEventListener('upgraded', onUpgrade)
  }, [load])

  async function addNote(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const input = e.currentTarget.elements.namedItem('body') as HTMLInputElement
    const res = await api('/api/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body: input.value }),
    })
    if (res.ok) input.value = ''
    await load()
  }

  async function account(e: FormEvent<HTMLFormElement>, mode: 'up' | 'in') {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    const email = String(form.get('email'))
    const password = String(form.get('password'))
    const { error } =
      mode === 'up'
        ? await authClient.signUp.email({ email, password, name: email.split('@')[0] ?? email })
        : await authClient.signIn.email({ email, password })
    if (error) return setMessage(`Sign-${mode} failed: ${error.message ?? error.status}`)
    setMessage('')
    await session.refresh().catch(() => {})
  }

  async function revokedRequest() {
    const res = await api('/api/notes', { headers: { 'x-demo-reject': crypto.randomUUID() } })
    setMessage(
      `The API answered 401 for the current token; keyway refreshed and retried → ${res.status}`,
    )
  }

  async function signOut() {
    await authClient.signOut()
    await session.signOut()
    setUpgraded('')
  }

  const guest = state.status === 'anonymous'
  const who = guest ? 'guest' : (emailOf(token) ?? state.userId ?? '—')

  return (
    <main>
      <h1>keyway demo</h1>
      <section>
        <h2>Session</h2>
        <div className="status">
          <span className={`badge ${state.status}`} data-testid="status">
            {state.status}
          </span>
          <span data-testid="user">{who}</span>
          <span className="muted" data-testid="fetches">
            {state.counters.fetches} fetches · {state.counters.rejections} rejections
          </span>
          <span className="muted" data-testid="token">
            token {redactToken(token)}
          </span>
        </div>
        <p className="muted" data-testid="hint">
          {lastRefresh
            ? `Refreshed before expiry at ${new Date(lastRefresh).toLocaleTimeString()}, once for every open tab.`
            : 'keyway will refresh this token shortly before it expires (the hatched mark in the timeline below). Open a second tab: both will share that one refresh.'}
        </p>
        <button type="button" className="secondary" onClick={revokedRequest}>
          Call the API with a revoked token
        </button>{' '}
        {state.status === 'authenticated' && (
          <button type="button" className="secondary" onClick={signOut}>
            Sign out
          </button>
        )}
        {message && (
          <p className="muted" data-testid="message">
            {message}
          </p>
        )}
      </section>

      <section>
        <h2>Notes (row-level security on the token's sub)</h2>
        <form onSubmit={addNote}>
          <label>
            New note
            <input name="body" required maxLength={500} />
          </label>
          <button type="submit">Add</button>
        </form>
        <ul data-testid="notes">
          {notes.map((n) => (
            <li key={n.id}>
              {n.body}
              {guest && <span className="muted"> (as guest)</span>}
            </li>
          ))}
        </ul>
        {upgraded && (
          <p className="muted" data-testid="upgrade">
            {upgraded}
          </p>
        )}
      </section>

      {state.status !== 'authenticated' && (
        <section>
          <h2>Keep your notes: sign up or sign in</h2>
          <form onSubmit={(e) => account(e, 'up')} data-testid="signup">
            <label>
              Email
              <input name="email" type="email" autoComplete="email" required />
            </label>
            <label>
              Password (8 characters or more)
              <input
                name="password"
                type="password"
                autoComplete="new-password"
                minLength={8}
                required
              />
            </label>
            <button type="submit">Sign up</button>
          </form>
          <form
            onSubmit={(e) => account(e, 'in')}
            data-testid="signin"
            style={{ marginTop: '.5rem' }}
          >
            <label>
              Email
              <input name="email" type="email" autoComplete="email" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
            <button type="submit" className="secondary">
              Sign in
            </button>
          </form>
        </section>
      )}
    </main>
  )
}
