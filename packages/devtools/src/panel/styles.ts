/** Fetch reasons and their colours, shared by the ticks and the legend. */
export const REASON_COLOURS = {
  initial: '#60a5fa',
  proactive: '#34d399',
  rejected: '#f87171',
  wake: '#fbbf24',
  manual: '#c084fc',
  changed: '#f472b6',
} as const

const reasons = Object.entries(REASON_COLOURS)
  .map(([reason, colour]) => `.r-${reason}{background:${colour}}`)
  .join('')

/** The panel's stylesheet, inside its shadow root so the page's styles never reach it. */
export const STYLES = `
:host{all:initial;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;color:#e5e7eb}
*{box-sizing:border-box}
button{font:inherit;color:inherit;background:#374151;border:1px solid #4b5563;border-radius:4px;padding:2px 8px;cursor:pointer}
button:disabled{opacity:.4;cursor:default}
.fab{position:fixed;right:12px;bottom:12px;z-index:2147483646;background:#111827;padding:6px 10px;border-radius:16px}
.panel{background:#111827;padding:8px;overflow:auto}
.floating{position:fixed;left:8px;right:8px;bottom:8px;max-height:70vh;z-index:2147483647;border:1px solid #374151;border-radius:6px;box-shadow:0 4px 24px #0008}
.top{display:flex;justify-content:space-between;margin-bottom:6px}
.session{border-bottom:1px solid #374151;padding-bottom:6px;margin-bottom:6px}
.head{display:flex;gap:10px;flex-wrap:wrap;align-items:center}
.badge{padding:0 6px;border-radius:8px;background:#374151}
.s-authenticated{background:#065f46}.s-anonymous{background:#1e40af}.s-error{background:#991b1b}.s-signedOut{background:#4b5563}
.muted{color:#9ca3af}
.life{position:relative;height:10px;background:#1f2937;border-radius:3px;margin:6px 0;overflow:hidden}
.life>b{position:absolute;top:0;bottom:0;left:0;background:#10b981}
.life>.point{position:absolute;top:0;bottom:0;width:2px;margin-left:-1px;background:#fbbf24;z-index:1}
.life>.zone{position:absolute;top:0;bottom:0;background:repeating-linear-gradient(45deg,#fbbf2488 0 3px,transparent 3px 6px);border-left:2px solid #fbbf24}
.actions{display:flex;gap:4px;flex-wrap:wrap}
pre{margin:4px 0;white-space:pre-wrap;word-break:break-all;color:#d1d5db}
.strip{display:flex;align-items:center;margin:3px 0}
.label{width:110px;flex:none;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.track{position:relative;flex:1;height:44px;background:#1f2937;border-radius:3px;overflow:hidden}
.track i{position:absolute;font-style:normal}
.token{top:4px;height:10px;background:#059669;border-radius:2px;min-width:2px;border-left:2px solid #111827}
.refresh-at{top:1px;height:16px;width:2px;margin-left:-1px;background:#fbbf24;z-index:1}
.guest{opacity:.55}
.mark.aborted{background:#374151}
.from-tab{background:#0e7490}.from-storage,.from-held{background:#4b5563}
.tick{top:0;width:3px;height:16px;margin-left:-1px}
.mark{top:17px;font-size:10px;line-height:12px;padding:0 2px;background:#7f1d1d;border-radius:2px;white-space:nowrap}
.action{top:29px;font-size:10px;line-height:11px;color:#fbbf24;white-space:nowrap}
.span{bottom:0;height:4px}
.offline{background:#f87171}.background{background:#6b7280}.wait{background:#fbbf24}
.now{top:0;bottom:0;width:1px;background:#e5e7eb}
.legend{display:flex;gap:8px;flex-wrap:wrap;margin-top:4px}
.legend i{display:inline-block;width:8px;height:8px;margin-right:3px}
${reasons}
`
