// Preloaded (NODE_OPTIONS=--import) into servers that bind every interface with no option to
// change it (zero-cache listens on "::"): every listen on a TCP port goes to 127.0.0.1, in
// this process and in every worker it forks, so tests serve on the loopback only.
import net from 'node:net'

const ANY = new Set([undefined, '', '::', '0.0.0.0'])
const listen = net.Server.prototype.listen

net.Server.prototype.listen = function (...args) {
  const [first] = args
  if (first && typeof first === 'object' && 'port' in first && ANY.has(first.host))
    args[0] = { ...first, host: '127.0.0.1' }
  else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] === 'string' && ANY.has(args[1])) args[1] = '127.0.0.1'
    else if (typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1')
  }
  return listen.apply(this, args)
}
