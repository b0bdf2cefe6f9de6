public import Foundation

/// The metadata hooksync needs from a verified webhook, read as its provider file says.
public struct EventFields: Sendable, Equatable {
    public var id: String
    public var type: String
    /// What makes two arrivals the same event: equal keys within a source are stored once.
    public var dedupKey: String
    public var occurredAt: Date?

    public init(id: String, type: String, dedupKey: String, occurredAt: Date? = nil) {
        self.id = id
        self.type = type
        self.dedupKey = dedupKey
        self.occurredAt = occurredAt
    }
}

/// A verified request whose body is not what its provider sends.
public enum EventParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedJSON
    /// A payload that should be base64 XML and is not.
    case malformedXML
    case missingField(name: String, source: String)

    public var description: String {
        switch self {
        case .malformedJSON: "body is not a valid JSON object or array"
        case .malformedXML: "payload is not base64 of a well-formed XML document"
        case .missingField(let name, let source): "no event \(name) at \(source)"
        }
    }
}
