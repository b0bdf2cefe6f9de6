public import Foundation

/// Where a secret comes from. Secrets are never written into the config file itself, so the
/// file can be shared, committed and printed by `hooksync check` without leaking anything.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// `env:NAME`: an environment variable of the agent.
    case environment(String)
    /// `file:/path`: a file's content, trailing newline removed.
    case file(String)
    /// `credential:NAME`: `$CREDENTIALS_DIRECTORY/NAME`, as systemd's `LoadCredential=` provides.
    case credential(String)

    static let expectation = "a secret reference: \"env:NAME\", \"file:/path\" or \"credential:NAME\""

    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else { return nil }
        switch parts[0] {
        case "env": self = .environment(parts[1])
        case "file": self = .file(parts[1])
        case "credential": self = .credential(parts[1])
        default: return nil
        }
    }

    /// A relative `file:` path anchored by `resolve`, like every other path in the config file.
    func relative(to resolve: (String) -> String) -> SecretReference {
        if case .file(let path) = self, !path.hasPrefix("/") { return .file(resolve(path)) }
        return self
    }

    public var description: String {
        switch self {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        case .credential(let name): "credential:\(name)"
        }
    }

    /// Reads the secret now. Called at start-up so a missing secret stops the agent with a
    /// clear message instead of failing every request later.
    public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SecretError) -> Secret {
        let path: String
        switch self {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw SecretError(reference: self, reason: "environment variable \(name) is not set or empty")
            }
            return Secret(value)
        case .file(let file):
            path = file
        case .credential(let name):
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                throw SecretError(
                    reference: self,
                    reason: "CREDENTIALS_DIRECTORY is not set (use LoadCredential=\(name):… in the systemd unit)"
                )
            }
            path = (directory as NSString).appendingPathComponent(name)
        }
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
            throw SecretError(reference: self, reason: "cannot read \(path)")
        }
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw SecretError(reference: self, reason: "\(path) is empty") }
        return Secret(text)
    }
}

/// A resolved secret. Its description is redacted so that it cannot reach a log line by accident.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<secret>" }
    public var debugDescription: String { "<secret>" }
}

/// A secret reference that could not be resolved; says which and why, never the value.
public struct SecretError: Error, Sendable, CustomStringConvertible {
    public var reference: SecretReference
    public var reason: String

    public var description: String { "secret \(reference): \(reason)" }
}
