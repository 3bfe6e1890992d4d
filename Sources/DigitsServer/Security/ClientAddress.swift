import Vapor

extension Request {
    /// Who sent the request, as far as this server can tell: the peer's address. What the rate
    /// limit and the drawing workers' share per client key on; behind a proxy every client is
    /// the proxy until forwarded addresses are read from trusted proxies (issue 12).
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
