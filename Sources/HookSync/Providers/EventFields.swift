import Foundation
import HTTPTypes

/// The metadata hooksync needs from a verified webhook, read as its provider file says.
public struct EventFields: Sendable, Equatable {
    public var id: String
    public var type: String
    public var occurredAt: Date?
}

/// A verified request whose body is not what its provider sends.
public enum EventParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedJSON
    case missingField(name: String, source: String)

    public var description: String {
        switch self {
        case .malformedJSON: "body is not valid JSON"
        case .missingField(let name, let source): "no event \(name) at \(source)"
        }
    }
}

extension ProviderDefinition {
    /// Parses the body as JSON and reads the event's id, type and occurrence time.
    public func eventFields(headers: HTTPFields, body: [UInt8]) throws(EventParseError) -> EventFields {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]),
            json is [String: Any] || json is [Any]
        else { throw .malformedJSON }
        guard let id = idField.string(headers: headers, json: json) else {
            throw .missingField(name: "id", source: idField.description)
        }
        guard let type = typeField.string(headers: headers, json: json) else {
            throw .missingField(name: "type", source: typeField.description)
        }
        let occurredAt = occurredAtField.flatMap { $0.value(headers: headers, json: json) }.flatMap(occurredAtFormat.parse)
        return EventFields(id: id, type: type, occurredAt: occurredAt)
    }

    /// The headers to store with an event: `content-type` and the provider's `keep_headers`.
    public func keptHeaders(from headers: HTTPFields) -> [String: String] {
        var kept: [String: String] = [:]
        for name in [HTTPField.Name.contentType] + keepHeaders {
            if let value = headers[name] { kept[name.canonicalName] = value }
        }
        return kept
    }
}
