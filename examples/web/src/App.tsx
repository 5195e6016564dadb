import { redactToken } from '@keyway/core'
import { useAuthState, useSession, useToken } from '@keyway/react'
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react'
import { api, authClient, upgradeEvents } from './keyway.js'

interface Note {
  id: number
  owner: string
  body: string
}

function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(timer)
  }, [ms])
  return now
}

export function App() {
  const session = useSession()
  const state = useAuthState()
  // The token itself, re-rendering only when it changes (what a WebSocket or Jazz would take).
  const token = useToken()
  const now = useNow(250)
  const [notes, setNotes] = useState<Note[]>([])
  const [log, setLog] = useState<string[]>([])
  const lastFetches = useRef(state.counters.fetches)
  const lifetime = useRef<number | null>(null)

  const say = useCallback((line: string) => {
    setLog((l) => [`${new Date().toLocaleTimeString()}  ${line}`, ...l].slice(0, 50))
  }, [])

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
    if (state.counters.fetches > lastFetches.current && state.expiresAt) {
      lifetime.current = state.expiresAt - Date.now()
      say(`new token (${state.status}), valid for ${Math.round(lifetime.current / 1000)} s`)
    }
    lastFetches.current = state.counters.fetches
  }, [state.counters.fetches, state.expiresAt, state.status, say])

  useEffect(() => {
    const onUpgrade = (e: Event) => {
      const { outcome, from, to } = (e as CustomEvent).detail
      say(`upgrade ${outcome}: ${from.slice(0, 14)}… → ${to}`)
      void load()
    }
    upgradeEvents.addEventListener('upgraded', onUpgrade)
    return () => upgradeEvents.removeEventListener('upgraded', onUpgrade)
  }, [load, say])

  const remaining = state.expiresAt ? Math.max(0, state.expiresAt - now) : 0
  const share = lifetime.current ? Math.min(100, (remaining / lifetime.current) * 100) : 0

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
    if (error) return say(`sign-${mode} failed: ${error.message ?? error.status}`)
    say(`signed ${mode} as ${email}`)
    await session.refresh().catch(() => {})
  }

  async function simulate401() {
    const res = await api('/api/notes', { headers: { 'x-demo-reject': crypto.randomUUID() } })
    say(`API answered 401 for the current token; keyway refreshed and retried → ${res.status}`)
  }

  async function signOut() {
    await authClient.signOut()
    await session.signOut()
    say('signed out: a new guest identity starts')
  }

  return (
    <main>
      <h1>keyway demo</h1>
      <section>
        <h2>Session</h2>
        <div className="status">
          <span className={`badge ${state.status}`} data-testid="status">
            {state.status}
          </span>
          <span data-testid="user">{state.userId ?? '—'}</span>
          <span data-testid="remaining">{(remaining / 1000).toFixed(1)} s left</span>
          <span className="muted" data-testid="fetches">
            {state.counters.fetches} fetches · {state.counters.rejections} rejections
          </span>
          <span className="muted" data-testid="token">
            token {redactToken(token)}
          </span>
        </div>
        <div className="bar">
          <div style={{ width: `${share}%` }} />
        </div>
        <p className="muted">
          Refreshed before expiry, one refresh for every tab. Open a second tab: it shows the same
          state without a fetch of its own.
        </p>
        <button type="button" className="secondary" onClick={simulate401}>
          Simulate 401
        </button>{' '}
        {state.status === 'authenticated' && (
          <button type="button" className="secondary" onClick={signOut}>
            Sign out
          </button>
        )}
      </section>

      <section>
        <h2>Notes (row-level security on the token's sub)</h2>
        <form onSubmit={addNote}>
          <input name="body" placeholder="Write a note" required maxLength={500} />
          <button type="submit">Add</button>
        </form>
        <ul data-testid="notes">
          {notes.map((n) => (
            <li key={n.id}>
              {n.body}{' '}
              <span className="muted">
                ({n.owner.startsWith('anon_') ? 'as guest' : 'as account'})
              </span>
            </li>
          ))}
        </ul>
      </section>

      {state.status !== 'authenticated' && (
        <section>
          <h2>Keep your notes: sign up or sign in</h2>
          <form onSubmit={(e) => account(e, 'up')} data-testid="signup">
            <input name="email" type="email" placeholder="email" required />
            <input
              name="password"
              type="password"
              placeholder="password (8+)"
              minLength={8}
              required
            />
            <button type="submit">Sign up</button>
          </form>
          <form onSubmit={(e) => account(e, 'in')} style={{ marginTop: '.5rem' }}>
            <input name="email" type="email" placeholder="email" required />
            <input name="password" type="password" placeholder="password" required />
            <button type="submit" className="secondary">
              Sign in
            </button>
          </form>
        </section>
      )}

      <section>
        <h2>Log</h2>
        <ul className="log" data-testid="log">
          {log.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </section>
    </main>
  )
}
