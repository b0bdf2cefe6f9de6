/// The `[http]` table. Absent on a poll-only host, which then opens no port at all.
public struct HTTPSettings: Sendable {
    public var host: String
    public var port: Int
    public var maxBody: Int
    /// A connection that neither sends nor reads for this long is closed: idle clients, and
    /// any whose unread body stalled the connection, cannot pile up.
    public var idleTimeout: Duration
    /// Where `/metrics`, `/readyz` and `/healthz` listen apart from webhooks, so they are never
    /// public; nil serves them on the webhook listener.
    public var admin: (host: String, port: Int)?

    public init(
        host: String = "127.0.0.1",
        port: Int = 8780,
        maxBody: Int = 1 << 20,
        idleTimeout: Duration = .seconds(60),
        admin: (host: String, port: Int)? = nil
    ) {
        self.host = host
        self.port = port
        self.maxBody = maxBody
        self.idleTimeout = idleTimeout
        self.admin = admin
    }

    /// Parses `host:port`, `[v6]:port` or `:port`; nil when it is none of these.
    static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}
