/// Where a batch request keeps its events: a JSON pointer whose `*` tokens stand for every
/// element of an array, such as Adyen's `/notificationItems/*/NotificationRequestItem` or
/// SendGrid's `/*` (the body is an array of events).
public struct BatchPath: Sendable, Hashable, CustomStringConvertible {
    let tokens: [String]
    public let description: String

    /// Parses a pointer with at least one `*`; nil otherwise.
    public init?(_ text: String) {
        guard let pointer = JSONPointer(text), pointer.tokens.contains("*") else { return nil }
        tokens = pointer.tokens
        description = text
    }

    /// Every value the path reaches in a parsed document, in document order.
    public func items(in document: Any) -> [Any] {
        var found: [Any] = []
        Self.collect(document, tokens[...], into: &found)
        return found
    }

    private static func collect(_ value: Any, _ tokens: ArraySlice<String>, into found: inout [Any]) {
        guard let token = tokens.first else {
            found.append(value)
            return
        }
        let rest = tokens.dropFirst()
        if token == "*" {
            for element in value as? [Any] ?? [] { collect(element, rest, into: &found) }
        } else if let object = value as? [String: Any], let next = object[token] {
            collect(next, rest, into: &found)
        } else if let array = value as? [Any], let index = Int(token), array.indices.contains(index) {
            collect(array[index], rest, into: &found)
        }
    }
}
