import Foundation
import HTTPTypes

/// Where a provider puts one piece of event metadata: a JSON pointer into the body, or a header.
public enum FieldSource: Sendable, Hashable, CustomStringConvertible {
    case body(JSONPointer)
    case header(HTTPField.Name)

    static let expectation = "a JSON pointer such as \"/id\" or a header such as \"header:webhook-id\""

    public init?(_ text: String) {
        if text.hasPrefix("header:") {
            guard let name = HTTPField.Name(String(text.dropFirst("header:".count))) else { return nil }
            self = .header(name)
        } else if let pointer = JSONPointer(text), !pointer.tokens.isEmpty {
            self = .body(pointer)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .body(let pointer): pointer.description
        case .header(let name): "header:\(name.canonicalName)"
        }
    }

    /// The raw value, or nil when absent. Numbers come back as numbers, strings as strings.
    func value(headers: HTTPFields, json: Any) -> Any? {
        switch self {
        case .body(let pointer):
            let value = pointer.resolve(in: json)
            return value is NSNull ? nil : value
        case .header(let name):
            return headers[name]
        }
    }

    /// The value as text, for ids and types. Integers keep their exact digits.
    func string(headers: HTTPFields, json: Any) -> String? {
        switch value(headers: headers, json: json) {
        case let string as String: string.isEmpty ? nil : string
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }
}
