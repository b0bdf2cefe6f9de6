public import HTTPTypes

/// Where a provider puts one value: a JSON pointer into the body, or a request header.
public enum FieldSource: Sendable, Hashable, CustomStringConvertible {
    case body(JSONPointer)
    case header(HTTPField.Name)

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
}
