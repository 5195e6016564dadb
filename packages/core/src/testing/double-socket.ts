/**
 * The WebSocket surface engine clients use (readyState, the `on…` handlers, `send`, `close`),
 * for in-process doubles of a service handed to a client's own socket option
 * (`webSocketConstructor`, `transport`). Opens on the next turn; frames go both ways on later
 * turns, as over a network with no latency.
 *
 * @example
 * ```ts
 * class EchoSocket extends DoubleWebSocket {
 *   protected receive(data: string) {
 *     this.deliver(data)
 *   }
 * }
 * ```
 */
export abstract class DoubleWebSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  readyState = 0
  binaryType = 'arraybuffer'
  bufferedAmount = 0
  onopen: ((event: unknown) => void) | null = null
  onmessage: ((event: { data: string }) => void) | null = null
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null
  onerror: ((event: unknown) => void) | null = null

  constructor(readonly url: string) {
    setTimeout(() => {
      if (this.readyState !== 0) return
      this.readyState = 1
      this.onopen?.({})
    }, 1)
  }

  /** A frame from the client. */
  protected abstract receive(data: string): void

  /** The socket closed (either side): drop what the service held for it. */
  protected closed(): void {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('WebSocket is not open')
    this.receive(data)
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return
    this.readyState = 3
    this.closed()
    setTimeout(() => this.onclose?.({ code, reason, wasClean: true }), 1)
  }

  /** Sends a frame to the client on a later turn; `delivered` runs just before it arrives. */
  deliver(data: string, delivered?: () => void): void {
    if (this.readyState !== 1) return
    setTimeout(() => {
      delivered?.()
      if (this.readyState === 1) this.onmessage?.({ data })
    }, 1)
  }
}
