public import HTTPTypes

/// Where a provider puts one value: a JSON pointer into the body, or a request header.
public enum FieldSource: Sendable, Hashable, CustomStringConvertible {
    case body(JSONPointer)
    case header(HTTPField.Name)
    /// `sha256:/pointer`: the hex SHA-256 of the value's JSON with sorted keys, for providers
    /// that give an event no id (a Meta change is what it says, whenever it is sent).
    case digest(JSONPointer)

    public init?(_ text: String) {
        if text.hasPrefix("sha256:") {
            guard let pointer = JSONPointer(String(text.dropFirst("sha256:".count))) else { return nil }
            self = .digest(pointer)
        } else if text.hasPrefix("header:") {
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
        case .digest(let pointer): "sha256:\(pointer)"
        }
    }
}
