// oidc-provider ships no types (and @types/oidc-provider is not installed): the parts the
// test server uses, typed by hand from the library's source.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  interface Ctx {
    oidc: {
      params?: Record<string, unknown>
      client?: { clientId: string }
      session?: { grantIdFor(clientId: string): string | undefined }
      provider: Provider
    }
  }
  interface GrantInstance {
    addOIDCScope(scope: string): void
    addResourceScope(resource: string, scope: string): void
    save(): Promise<string>
    destroy(): Promise<void>
  }
  export interface Configuration {
    clients?: Record<string, unknown>[]
    jwks?: { keys: Record<string, unknown>[] }
    cookies?: { keys: string[] }
    routes?: Record<string, string>
    claims?: Record<string, string[]>
    extraParams?: string[]
    features?: {
      devInteractions?: { enabled: boolean }
      revocation?: { enabled: boolean }
      resourceIndicators?: {
        enabled: boolean
        defaultResource?(ctx: Ctx): string | undefined
        useGrantedResource?(): boolean
        getResourceServerInfo?(): Record<string, unknown>
      }
    }
    ttl?: Record<string, number>
    issueRefreshToken?: () => boolean
    rotateRefreshToken?: () => boolean
    clientBasedCORS?: () => boolean
    findAccount?: (
      ctx: Ctx,
      sub: string,
    ) => { accountId: string; claims(): Record<string, unknown> } | undefined
    interactions?: { url(ctx: Ctx, interaction: { uid: string }): string }
    loadExistingGrant?: (ctx: Ctx) => Promise<GrantInstance | undefined>
  }
  export default class Provider {
    constructor(issuer: string, configuration: Configuration)
    callback(): (req: IncomingMessage, res: ServerResponse) => void
    interactionDetails(
      req: IncomingMessage,
      res: ServerResponse,
    ): Promise<{ uid: string; params: Record<string, unknown> }>
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>
    Grant: {
      new (init: { accountId: string; clientId: string }): GrantInstance
      find(id: string): Promise<GrantInstance | undefined>
    }
  }
}
