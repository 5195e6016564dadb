import type { Connector, FetchReason } from '@keyway/core'

// The contract as docs/concepts.md spells it out; the assertions below keep it equal to
// the real `Connector` type.
interface ConnectorShape {
  readonly id: string // ^[a-z][a-z0-9-]*$
  fetchCredentials(o: {
    forceRefresh: boolean
    reason: FetchReason
    signal: AbortSignal
  }): Promise<{ token: string; endpoint?: string; expiresAt?: number } | null>
  subscribe?(onChange: () => void): () => void
  signOut?(): Promise<void>
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
export const contractMatches: Same<ConnectorShape, Connector> = true
