import { type FaultProxy, startFaultProxy } from '../chaos/fault-proxy.js'
import { type Issuer, startIssuer } from './issuer.js'
import { type ResourceServer, startResourceServer } from './resource-server.js'

/** The issuer and the data API every scenario shares, and the fault proxies they opened. */
export interface Servers {
  issuer: Issuer
  resource: ResourceServer
  /** A fault proxy in front of the issuer, closed with the servers. */
  proxy(): Promise<FaultProxy>
  close(): Promise<void>
}

export async function startServers(): Promise<Servers> {
  const issuer = await startIssuer()
  const resource = await startResourceServer(issuer.jwksUrl)
  const proxies: FaultProxy[] = []
  return {
    issuer,
    resource,
    async proxy() {
      const proxy = await startFaultProxy(issuer.origin)
      proxies.push(proxy)
      return proxy
    },
    async close() {
      for (const proxy of proxies) await proxy.close()
      await resource.close()
      await issuer.close()
    },
  }
}
