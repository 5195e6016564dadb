import type { Session } from '@keyway/core'
import type { DevtoolsControls } from '../devtools-platform.js'
import { type Recorder, recordSession } from '../session-recorder.js'
import { shareAcrossTabs } from '../tab-channel.js'
import { createTimelineStore } from '../timeline-store.js'
import { type TokenClaims, tokenClaims } from '../token-claims.js'
import { claimsHtml, headHtml, lifeHtml } from './session-view.js'
import { STYLES } from './styles.js'
import { legendHtml, timelineHtml, timeWindow } from './timeline-view.js'

/** One session the panel shows. */
export interface DevtoolsSession {
  session: Session
  /** Its name on the panel. Default: the connector's id. */
  name?: string
  /** From `devtoolsPlatform`: enables "expire now" and "offline". */
  controls?: DevtoolsControls
}

export interface DevtoolsOptions {
  sessions: DevtoolsSession[]
  /** Draw the panel inside this element, always open. Default: a floating button on the page. */
  target?: HTMLElement
  /** Open the floating panel at once. */
  initialOpen?: boolean
  /** The most time the timeline spans, ms (it starts narrower, at the first event). Default 2 min. */
  windowMs?: number
}

/** Marks the panel's host element (and names the panel's code, for the production-bundle test). */
export const HOST_ATTRIBUTE = 'data-keyway-devtools'

const ACTIONS = [
  ['expire', 'Expire now'],
  ['reject', 'Simulate 401'],
  ['offline', 'Go offline'],
  ['refresh', 'Force refresh'],
  ['signOut', 'Sign out'],
] as const

type Action = (typeof ACTIONS)[number][0]

/** What the panel remembers of one session between renders. */
interface Watched extends DevtoolsSession {
  name: string
  recorder: Recorder
  /** Claims of the token at `version`, decoded once per token. */
  claims?: TokenClaims
  lifetimeMs: number | null
  version: number
  /** Where the session set the held token's refresh ('scheduled' event), and for which token. */
  refresh?: { at: number; version: number }
  card: HTMLElement
  note: string
}

/**
 * Shows keyway's panel: for each session its status, user, a countdown of the token's life
 * with the refresh window, the token's decoded header and claims, buttons that inject faults,
 * and a timeline with a strip per tab (shared between tabs with BroadcastChannel). Returns the
 * function that removes it. In a production build `@keyway/devtools` resolves to a no-op.
 *
 * @example
 * ```ts
 * const debug = devtoolsPlatform(browserPlatform())
 * const session = createSession({ connector, platform: debug.platform })
 * const unmount = mountKeywayDevtools({ sessions: [{ session, controls: debug }] })
 * ```
 */
export function mountKeywayDevtools(options: DevtoolsOptions): () => void {
  const { target, windowMs = 120_000 } = options
  const tab = Math.random().toString(36).slice(2, 6)
  let seq = 0
  const nextId = () => `${tab}:${seq++}`
  const store = createTimelineStore()
  const wallNow = () => Date.now()

  const host = document.createElement('div')
  host.setAttribute(HOST_ATTRIBUTE, '')
  const root = host.attachShadow({ mode: 'open' })
  const style = document.createElement('style')
  style.textContent = STYLES
  const panel = el('section', `panel${target ? '' : ' floating'}`)
  panel.setAttribute('aria-label', 'keyway devtools')
  const top = el('div', 'top')
  top.innerHTML = '<strong>keyway devtools</strong>'
  panel.append(top)
  root.append(style, panel)

  let open = Boolean(target || options.initialOpen)
  if (!target) {
    const fab = el('button', 'fab')
    fab.textContent = 'keyway'
    fab.setAttribute('aria-label', 'Open keyway devtools')
    const close = el('button', '')
    close.textContent = 'Close'
    const toggle = () => {
      open = !open
      render()
    }
    fab.onclick = close.onclick = toggle
    top.append(close)
    root.append(fab)
  }

  const watched: Watched[] = options.sessions.map((entry) => {
    const name = entry.name ?? entry.session.connector.id
    const card = el('article', 'session')
    card.dataset.session = name
    card.innerHTML = `<div class="head" data-part="head"></div><div data-part="life"></div><div class="actions">${ACTIONS.map(([action, label]) => `<button type="button" data-action="${action}">${label}</button>`).join('')}</div><div class="muted" data-part="note"></div><details><summary>Token header and claims</summary><pre data-part="claims"></pre></details>`
    card.addEventListener('click', (e) => {
      const action = (e.target as HTMLElement).closest('button')?.dataset.action as Action
      if (action) act(w, action)
    })
    panel.append(card)
    const w: Watched = {
      ...entry,
      name,
      card,
      recorder: recordSession({ store, ...entry, name, tab, nextId, wallNow }),
      lifetimeMs: null,
      version: -1,
      note: '',
    }
    return w
  })
  const timeline = el('div', '')
  const legend = el('div', 'legend muted')
  legend.innerHTML = legendHtml()
  panel.append(timeline, legend)

  function act(w: Watched, action: Action): void {
    const { session, controls } = w
    const offline = controls?.offline
    const name = action === 'offline' ? (offline ? 'online' : 'offline') : action
    w.recorder.record({ type: 'action', at: wallNow(), name })
    const done = (promise: Promise<unknown>) =>
      promise.then(
        () => note(w, ''),
        (e: { code?: string }) => note(w, `${name}: ${e?.code ?? 'failed'}`),
      )
    if (action === 'expire') controls?.expireNow(session)
    else if (action === 'offline') controls?.setOffline(!offline)
    else if (action === 'refresh') done(session.refresh())
    else if (action === 'signOut') done(session.signOut())
    else {
      const held = peek(session)
      if (held) done(session.reportRejected(held.token))
    }
  }

  function note(w: Watched, text: string): void {
    w.note = text
    render()
  }

  function renderSession(w: Watched, now: number): void {
    const { session, controls, card } = w
    const snapshot = session.getSnapshot()
    if (snapshot.tokenVersion !== w.version) {
      // Decoded once per token; the token itself is dropped here and never reaches the DOM.
      const held = peek(session)
      w.claims = held ? tokenClaims(held.token) : undefined
      w.lifetimeMs = w.claims?.lifetimeMs ?? w.lifetimeMs
      if (held || snapshot.expiresAt === null) w.version = snapshot.tokenVersion
    }
    const viewNow = controls ? controls.platform.wallNow() : now
    part(card, 'head').innerHTML = headHtml(snapshot, w.claims)
    const refreshAt = w.refresh?.version === snapshot.tokenVersion ? w.refresh.at : undefined
    part(card, 'life').innerHTML = lifeHtml(snapshot.expiresAt, w.lifetimeMs, viewNow, refreshAt)
    part(card, 'claims').innerHTML = claimsHtml(w.claims)
    part(card, 'note').textContent = w.note
    const buttons = card.querySelectorAll('button')
    const has = snapshot.expiresAt !== null
    for (const b of buttons) {
      const action = b.dataset.action as Action
      if (action === 'offline') b.textContent = controls?.offline ? 'Go online' : 'Go offline'
      b.disabled =
        ((action === 'expire' || action === 'offline') && !controls) ||
        ((action === 'expire' || action === 'reject') && !has)
    }
  }

  let scheduled = false
  function render(): void {
    scheduled = false
    panel.hidden = !open
    if (!open) return
    const now = wallNow()
    for (const w of watched) renderSession(w, now)
    const first = store.entries()[0]?.at
    timeline.innerHTML = timelineHtml(store.strips(tab), tab, now, timeWindow(now, windowMs, first))
  }
  const soon = () => {
    if (scheduled) return
    scheduled = true
    setTimeout(render, 0)
  }

  const stops = [
    store.subscribe(soon),
    shareAcrossTabs(store, tab),
    ...watched.flatMap((w) => [
      w.session.subscribe(soon),
      w.session.inspect((event) => {
        if (event.type !== 'scheduled') return
        // Sent after the token it is for is in the snapshot.
        w.refresh = { at: event.refreshAt, version: w.session.getSnapshot().tokenVersion }
        soon()
      }),
      w.controls?.subscribe(soon) ?? (() => {}),
      () => w.recorder.stop(),
    ]),
  ]
  const ticker = setInterval(render, 250)
  const closed = () => {
    for (const w of watched) w.recorder.record({ type: 'closed', at: wallNow() })
  }
  addEventListener('pagehide', closed)
  ;(target ?? document.body).append(host)
  render()

  return () => {
    clearInterval(ticker)
    removeEventListener('pagehide', closed)
    for (const stop of stops) stop()
    host.remove()
  }
}

function el(tag: string, className: string): HTMLElement {
  const node = document.createElement(tag)
  if (className) node.className = className
  return node
}

function part(card: HTMLElement, name: string): HTMLElement {
  return card.querySelector(`[data-part="${name}"]`) as HTMLElement
}

/** The session's current credentials, or `undefined` (none, or a disposed session). */
function peek(session: Session) {
  try {
    return session.peek()
  } catch {
    return undefined
  }
}
