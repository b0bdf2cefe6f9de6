/// The one template syntax of provider files: literal text with `{placeholders}`, where `{{`
/// and `}}` stand for literal braces. Field templates and signed-text templates both read it.
enum BraceTemplate {
    enum Piece: Equatable {
        case literal(String)
        case placeholder(String)
    }

    /// The pieces in order, adjacent literal text merged; nil for an unbalanced brace.
    static func pieces(_ text: String) -> [Piece]? {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let character = rest.first {
            if rest.hasPrefix("{{") || rest.hasPrefix("}}") {
                literal.append(character)
                rest = rest.dropFirst(2)
                continue
            }
            guard character != "}" else { return nil }
            guard character == "{" else {
                literal.append(character)
                rest = rest.dropFirst()
                continue
            }
            guard let close = rest.firstIndex(of: "}") else { return nil }
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
            pieces.append(.placeholder(String(rest[rest.index(after: rest.startIndex)..<close])))
            rest = rest[rest.index(after: close)...]
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }
}
