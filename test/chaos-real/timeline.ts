/**
 * The suite's scale: 1 in CI (about two minutes), more in `pnpm chaos:real`
 * (`CHAOS_SCALE=4`: every phase four times as long, the outage longer than a 60 s lifetime).
 * Below 1 (down to 0.1) only for a quick look while working on the suite: phases then are
 * shorter than some lifetimes and the figures say less.
 */
export const SCALE = Math.max(0.1, Number(process.env.CHAOS_SCALE ?? 1) || 1)

export type PhaseName = 'healthy' | 'flapping' | 'outage' | 'recovered'

/** Phase lengths at scale 1, in ms. Healthy covers one refresh of a 60 s token. */
export const PHASE_MS: Record<PhaseName, number> = {
  healthy: 45_000,
  flapping: 15_000,
  outage: 22_000,
  // Long enough for the failure budget the outage spent to allow a call again: six failed
  // calls in a minute hold the next one back for up to a minute.
  recovered: 62_000,
}

export interface Phase {
  name: PhaseName
  from: number
  to: number
}

/** When each phase ran (wall-clock ms), filled in as the run goes. */
export class Timeline {
  readonly phases: Phase[] = []

  begin(name: PhaseName): void {
    const now = Date.now()
    const previous = this.phases.at(-1)
    if (previous) previous.to = now
    this.phases.push({ name, from: now, to: Number.POSITIVE_INFINITY })
  }

  end(): void {
    const last = this.phases.at(-1)
    if (last) last.to = Date.now()
  }

  phaseAt(at: number): PhaseName | undefined {
    return this.phases.find((p) => at >= p.from && at < p.to)?.name
  }

  get(name: PhaseName): Phase {
    const phase = this.phases.find((p) => p.name === name)
    if (!phase) throw new Error(`phase ${name} did not run`)
    return phase
  }
}
