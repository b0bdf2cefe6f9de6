/// One problem found in a configuration or provider file, phrased so a person can fix it
/// without reading the source: which file, which key, what was there and what was expected.
public struct ConfigIssue: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var key: String
    public var value: String?
    public var expected: String

    public init(file: String, key: String, value: String? = nil, expected: String) {
        self.file = file
        self.key = key
        self.value = value
        self.expected = expected
    }

    public var description: String {
        if let value {
            return "\(file): \(key) = \(value): expected \(expected)"
        }
        return "\(file): \(key): \(expected)"
    }
}

/// Thrown when a configuration cannot be used; carries every issue found, not only the first,
/// so that `hooksync check` can list them all in one go.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigIssue]

    public init(issues: [ConfigIssue]) {
        self.issues = issues
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
