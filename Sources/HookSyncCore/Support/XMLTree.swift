import Foundation

/// A small XML reader for providers that send XML (Braintree's notifications), turning a
/// document into the tree JSON pointers walk: an element with children is an object of them
/// (a repeated child, or children of a `type="array"` element, become an array), an element
/// without is its text. Attributes other than `type` are dropped; comments, processing
/// instructions and `<!DOCTYPE>` are skipped; CDATA is text. Nil for anything not well-formed.
///
/// It reads only bodies whose signature has already verified, and nothing it reads is
/// expanded: entities are the five predefined ones and character references.
enum XMLTree {
    static func parse(_ bytes: [UInt8]) -> Any? {
        var reader = Reader(text: Array(String(decoding: bytes, as: UTF8.self).unicodeScalars))
        reader.skipMisc()
        guard let (name, value) = reader.element() else { return nil }
        reader.skipMisc()
        return reader.atEnd ? [name: value] : nil
    }

    private struct Reader {
        let text: [Unicode.Scalar]
        var index = 0
        var atEnd: Bool { index >= text.count }

        func peek(_ literal: String) -> Bool {
            let scalars = Array(literal.unicodeScalars)
            return index + scalars.count <= text.count && Array(text[index..<index + scalars.count]) == scalars
        }

        mutating func skip(past literal: String) -> Bool {
            while !atEnd {
                if peek(literal) {
                    index += literal.unicodeScalars.count
                    return true
                }
                index += 1
            }
            return false
        }

        mutating func skipSpace() {
            while !atEnd, text[index].properties.isWhitespace { index += 1 }
        }

        /// Whitespace, comments, `<?…?>` and `<!DOCTYPE …>` between elements.
        mutating func skipMisc() {
            while true {
                skipSpace()
                if peek("<?") {
                    guard skip(past: "?>") else { return }
                } else if peek("<!--") {
                    guard skip(past: "-->") else { return }
                } else if peek("<!DOCTYPE") {
                    guard skip(past: ">") else { return }
                } else {
                    return
                }
            }
        }

        mutating func name() -> String? {
            let start = index
            while !atEnd, !text[index].properties.isWhitespace, !["/", ">", "=", "<"].contains(text[index]) { index += 1 }
            return index > start ? String(String.UnicodeScalarView(text[start..<index])) : nil
        }

        /// One element at the cursor: its name and its value.
        mutating func element() -> (String, Any)? {
            guard peek("<"), !peek("</") else { return nil }
            index += 1
            guard let tag = name() else { return nil }
            var isArray = false
            while true {
                skipSpace()
                if peek("/>") {
                    index += 2
                    return (tag, isArray ? [Any]() : "")
                }
                if peek(">") {
                    index += 1
                    break
                }
                guard let attribute = name() else { return nil }
                skipSpace()
                guard peek("=") else { return nil }
                index += 1
                skipSpace()
                guard !atEnd, text[index] == "\"" || text[index] == "'" else { return nil }
                let quote = text[index]
                index += 1
                let start = index
                while !atEnd, text[index] != quote { index += 1 }
                guard !atEnd else { return nil }
                let value = String(String.UnicodeScalarView(text[start..<index]))
                index += 1
                if attribute == "type" && value == "array" { isArray = true }
            }
            var textValue = ""
            var children: [(String, Any)] = []
            while true {
                guard !atEnd else { return nil }
                if peek("</") {
                    index += 2
                    guard name() == tag else { return nil }
                    skipSpace()
                    guard peek(">") else { return nil }
                    index += 1
                    break
                } else if peek("<!--") {
                    guard skip(past: "-->") else { return nil }
                } else if peek("<![CDATA[") {
                    index += 9
                    let start = index
                    guard skip(past: "]]>") else { return nil }
                    textValue += String(String.UnicodeScalarView(text[start..<index - 3]))
                } else if peek("<") {
                    guard let child = element() else { return nil }
                    children.append(child)
                } else if peek("&") {
                    guard let scalar = entity() else { return nil }
                    textValue.unicodeScalars.append(scalar)
                } else {
                    textValue.unicodeScalars.append(text[index])
                    index += 1
                }
            }
            if isArray { return (tag, children.map(\.1)) }
            guard !children.isEmpty else { return (tag, textValue) }
            var object: [String: Any] = [:]
            var repeated: [String: [Any]] = [:]
            for (name, value) in children { repeated[name, default: []].append(value) }
            for (name, values) in repeated { object[name] = values.count == 1 ? values[0] : values }
            return (tag, object)
        }

        mutating func entity() -> Unicode.Scalar? {
            let start = index
            guard skip(past: ";") else { return nil }
            let body = String(String.UnicodeScalarView(text[start + 1..<index - 1]))
            switch body {
            case "amp": return "&"
            case "lt": return "<"
            case "gt": return ">"
            case "quot": return "\""
            case "apos": return "'"
            default:
                let number = body.hasPrefix("#x") ? UInt32(body.dropFirst(2), radix: 16) : body.hasPrefix("#") ? UInt32(body.dropFirst()) : nil
                return number.flatMap(Unicode.Scalar.init)
            }
        }
    }
}
