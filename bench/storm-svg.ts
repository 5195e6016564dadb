// The refresh-storm chart as a hand-written SVG: requests per second (log scale) over time, one
// line per policy; 1 h tokens over two hours on top, 60 s tokens over ten minutes below. Each
// pixel column shows the largest per-second count it covers, so no peak is averaged away.

import type { StormResult } from './storm.js'

const W = 960
const PANEL_H = 300
const M = { left: 64, right: 24, top: 48, bottom: 70 }
const COLORS: Record<string, string> = {
  keyway: '#1b7f3b',
  'keyway, 60 s tokens': '#1b7f3b',
  'Firebase Auth': '#d62728',
  'supabase-js': '#ff7f0e',
  Convex: '#9467bd',
  Clerk: '#1f77b4',
}
const Y_MAX_EXP = 5 // 10^5 requests/s

function panel(
  title: string,
  results: StormResult[],
  windowSec: number,
  tickSec: number,
  top: number,
): string {
  const plotW = W - M.left - M.right
  const plotH = PANEL_H - M.top - M.bottom
  const secondsPerPx = windowSec / plotW
  const x0 = M.left
  const y0 = top + M.top
  const xOf = (sec: number) => x0 + sec / secondsPerPx
  // Zero sits on the axis; 1 request/s and up on a log scale.
  const yOf = (v: number) =>
    y0 + plotH - (v <= 0 ? 0 : ((Math.log10(v) + 0.5) / (Y_MAX_EXP + 0.5)) * plotH)
  const out: string[] = [
    `<text x="${x0}" y="${top + 30}" font-size="13" font-weight="600">${title}</text>`,
  ]
  for (let e = 0; e <= Y_MAX_EXP; e++) {
    const y = yOf(10 ** e).toFixed(1)
    out.push(
      `<line x1="${x0}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${x0 - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${(10 ** e).toLocaleString('en-US')}</text>`,
    )
  }
  for (let sec = 0; sec <= windowSec; sec += tickSec) {
    const x = xOf(sec).toFixed(1)
    out.push(
      `<line x1="${x}" x2="${x}" y1="${y0}" y2="${y0 + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${x}" y="${y0 + plotH + 16}" text-anchor="middle">${sec / 60} min</text>`,
    )
  }
  out.push(
    `<line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y0 + plotH}" stroke="#888"/>`,
    `<line x1="${x0}" x2="${W - M.right}" y1="${y0 + plotH}" y2="${y0 + plotH}" stroke="#888"/>`,
    `<text x="16" y="${y0 + plotH / 2}" transform="rotate(-90 16 ${y0 + plotH / 2})" text-anchor="middle">requests/s (log)</text>`,
  )
  results.forEach((r, i) => {
    const points: string[] = []
    for (let px = 0; px < plotW; px++) {
      const from = Math.floor(px * secondsPerPx)
      const to = Math.max(from + 1, Math.floor((px + 1) * secondsPerPx))
      let peak = 0
      for (let s = from; s < to && s < r.perSecond.length; s++)
        peak = Math.max(peak, r.perSecond[s]!)
      points.push(`${(x0 + px).toFixed(1)},${yOf(peak).toFixed(1)}`)
    }
    const color = COLORS[r.name] ?? '#333'
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="1.4" stroke-opacity="0.85" points="${points.join(' ')}"/>`,
    )
    const lx = x0 + i * 220
    const ly = y0 + plotH + 40
    out.push(
      `<rect x="${lx}" y="${ly - 2}" width="16" height="4" fill="${color}"/>`,
      `<text x="${lx + 22}" y="${ly}" dominant-baseline="middle">${r.name}: peak ${r.peak.toLocaleString('en-US')}/s</text>`,
    )
  })
  return out.join('\n')
}

export function stormSvg(storm: {
  clients: number
  windowSec: number
  results: StormResult[]
}): string {
  const hour = storm.results.filter((r) => r.lifetimeSec === 3600)
  const minute = storm.results.filter((r) => r.lifetimeSec === 60)
  const H = 2 * PANEL_H + 30
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-labelledby="storm-title">
<title id="storm-title">Refresh requests per second at the provider after an outage, by SDK refresh policy</title>
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${M.left}" y="20" font-size="15" font-weight="600">Refresh requests per second at the provider: ${storm.clients.toLocaleString('en-US')} clients, all tokens issued in the same second</text>
${panel('1 h tokens, first 2 hours', hour, storm.windowSec, 900, 10)}
${panel('60 s tokens, first 10 minutes', minute, 600, 60, PANEL_H + 20)}
</svg>
`
}
