import { DEFAULT_POLICY, refreshLead, type SessionSnapshot } from '@keyway/core'
import type { TokenClaims } from '../token-claims.js'
import { duration, esc } from './html.js'

/** Who the session speaks for: the token's email or name claim when it has one, else `sub`. */
export function userLabel(snapshot: SessionSnapshot, claims: TokenClaims | undefined): string {
  const { email, name } = claims?.payload ?? {}
  const readable = typeof email === 'string' ? email : typeof name === 'string' ? name : undefined
  return readable ?? snapshot.userId ?? '—'
}

/** Status badge, user and counters. */
export function headHtml(snapshot: SessionSnapshot, claims: TokenClaims | undefined): string {
  const { status, counters, refreshing, lastError } = snapshot
  return `<span class="badge s-${status}" data-part="status">${status}</span><span data-part="user">${esc(userLabel(snapshot, claims))}</span><span class="muted">${counters.fetches} fetches · ${counters.failures} failures · ${counters.rejections} rejections${refreshing ? ' · refreshing…' : ''}</span>${lastError ? `<span class="badge s-error" data-part="error">${lastError.code}</span>` : ''}`
}

/**
 * The countdown: the token's life from issue (left) to expiry (right), filled up to now,
 * with the refresh marked. `refreshAt`: where the session set it (its 'scheduled' event: lead,
 * jitter, the strictest consumer's `minValidityMs`). Without it (an older core), the window
 * the default policy allows: between `lead + jitter` and `lead` before expiry.
 */
export function lifeHtml(
  expiresAt: number | null,
  lifetimeMs: number | null,
  now: number,
  refreshAt?: number,
): string {
  if (expiresAt === null) return '<p class="muted" data-part="left">no token that expires</p>'
  const left = expiresAt - now
  if (!lifetimeMs || lifetimeMs <= 0)
    return `<p data-part="left">${left > 0 ? `${duration(left)} left` : 'expired'}</p>`
  const pct = (ms: number) => `${Math.min(100, Math.max(0, (ms / lifetimeMs) * 100)).toFixed(2)}%`
  const lived = `<b style="width:${pct(lifetimeMs - left)}"></b>`
  const life = left > 0 ? `${duration(left)} left of ${duration(lifetimeMs)}` : 'expired'
  if (refreshAt !== undefined) {
    const lead = expiresAt - refreshAt
    const refreshIn = refreshAt - now
    return `<div class="life" title="token life; the line: when the session refreshes"><i class="point" data-part="refresh-at" data-at="${Math.round(refreshAt)}" style="left:${pct(lifetimeMs - lead)}"></i>${lived}</div><p data-part="left">${life}${left > 0 && refreshIn > 0 ? ` · refresh in ${duration(refreshIn)}` : ''}</p>`
  }
  const lead = refreshLead(lifetimeMs, DEFAULT_POLICY)
  const jitter = DEFAULT_POLICY.jitterFraction * lifetimeMs
  const refreshIn = left - lead
  return `<div class="life" title="token life; hatched: when the session refreshes">${lived}<i class="zone" style="left:${pct(lifetimeMs - lead - jitter)};width:${pct(jitter)}"></i></div><p data-part="left">${life}${left > 0 && refreshIn > 0 ? ` · refresh due in ${duration(Math.max(0, refreshIn - jitter))}–${duration(refreshIn)}` : ''}</p>`
}

/** Decoded header and claims; the signature is never decoded nor shown. */
export function claimsHtml(claims: TokenClaims | undefined): string {
  if (!claims) return '<span class="muted">no token to show</span>'
  return `header ${esc(JSON.stringify(claims.header, null, 2))}\nclaims ${esc(JSON.stringify(claims.payload, null, 2))}`
}
