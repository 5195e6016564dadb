import type { RealSession } from './real-session.js'
import type { Recorder } from './record.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * `count` workers that loop until `stop()` says so, each doing what an app does: ask for a
 * token (`getToken`, or `getCredentials` for its claimed expiry) or call the data API through
 * `authFetch`, with a short random pause between. Every outcome goes to the recorder.
 */
export async function runWorkers(
  s: RealSession,
  rec: Recorder,
  resourceUrl: string,
  stop: () => boolean,
  count = 20,
): Promise<void> {
  const worker = async () => {
    while (!stop()) {
      const dice = Math.random()
      if (dice < 0.35) {
        await s.session.getToken().then(
          (token) => rec.handOut(s.name, 'getToken', token),
          (e) => rec.error(s.name, 'getToken', e),
        )
      } else if (dice < 0.5) {
        await s.session.getCredentials().then(
          (c) => c && rec.handOut(s.name, 'getCredentials', c.token, c.expiresAt),
          (e) => rec.error(s.name, 'getCredentials', e),
        )
      } else {
        const { id, headers } = rec.newRequest()
        const at = Date.now()
        await s.api(resourceUrl, { headers }).then(
          async (response) => {
            await response.body?.cancel()
            rec.request(s.name, id, at)
          },
          (e) => rec.request(s.name, id, at, e),
        )
      }
      await sleep(150 + Math.random() * 300)
    }
  }
  await Promise.all(Array.from({ length: count }, worker))
}
