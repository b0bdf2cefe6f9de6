public import HookSyncCore

/// What `hooksync providers` shows: each known provider, how it signs, and whether hooksync
/// can poll its event API.
public struct ProviderList: Sendable, Codable {
    public struct Entry: Sendable, Codable {
        public var name: String
        public var title: String
        public var scheme: String
        public var signature: String
        /// The event API style, or nil for webhook-only providers.
        public var poll: String?
        public var retention: String?
        public var retries: String?
        /// The source keys a source of this provider sets: its secret or key, and what else the
        /// signature, a handshake or the event API needs.
        public var keys: [String]
        /// How the provider checks an endpoint, answered without storing anything.
        public var handshake: String?
        public var origin: String
    }

    public var providers: [Entry]

    public init(registry: ProviderRegistry) {
        providers = registry.providers.values.sorted { $0.name < $1.name }.map { provider in
            Entry(
                name: provider.name,
                title: provider.title,
                scheme: provider.scheme.name,
                signature: provider.scheme.summary,
                poll: provider.api?.style.rawValue,
                retention: provider.api?.retention.map(ConfigDuration.format),
                retries: provider.delivery.retries,
                keys: provider.sourceKeys,
                handshake: provider.challenge?.summary,
                origin: provider.origin
            )
        }
    }

    public func render() -> String {
        var table = TextTable(headers: ["NAME", "SCHEME", "POLL", "API KEEPS", "ORIGIN"])
        for entry in providers {
            table.append([entry.name, entry.scheme, entry.poll ?? "no (webhook only)", entry.retention ?? "-", entry.origin])
        }
        let signatures = providers.map { entry in
            "  \(entry.name): \(entry.signature)\n    keys: \(entry.keys.joined(separator: ", "))"
                + (entry.handshake.map { "\n    handshake: \($0)" } ?? "")
        }
        return table.render() + "\n\nSignatures:\n" + signatures.joined(separator: "\n")
    }
}
