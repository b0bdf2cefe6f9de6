/// A pattern on event types, as routes write them: `payment_intent.*`, `charge.refunded`, `*`.
///
/// `*` matches any run of characters (dots included, so `customer.*` takes
/// `customer.subscription.updated`), `?` exactly one. Matching is case-sensitive because
/// providers' type names are.
public struct EventTypeGlob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String

    public init(_ pattern: String) {
        self.pattern = pattern
    }

    public var description: String { pattern }

    public func matches(_ type: String) -> Bool {
        let pattern = Array(self.pattern.utf8)
        let text = Array(type.utf8)
        var p = 0
        var t = 0
        var starP = -1
        var starT = 0
        // Iterative wildcard matching with single-star backtracking: linear in practice.
        while t < text.count {
            if p < pattern.count && (pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t]) {
                p += 1
                t += 1
            } else if p < pattern.count && pattern[p] == UInt8(ascii: "*") {
                starP = p
                starT = t
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
