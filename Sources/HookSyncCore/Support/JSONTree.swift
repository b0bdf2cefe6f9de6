import Foundation

/// Parses JSON (RFC 8259) into the tree `JSONSerialization` builds: `[String: Any]`, `[Any]`,
/// `String`, `NSNumber` and `NSNull`.
///
/// Every webhook body and every polled page is parsed once; on Linux `JSONSerialization` goes
/// through an intermediate tree and `String(bytes:encoding:)`, and was the largest single cost
/// of receiving an event. This parser builds the final tree in one pass over the bytes. It is
/// as strict as the RFC: no trailing commas, comments, leading zeros, control characters in
/// strings or lone surrogates, and nothing after the value. Given a ``JSONProjection`` it
/// builds only the values the projection names (and the containers on their way), checking
/// every other byte just as strictly.
package enum JSONTree {
    package struct Malformed: Error, CustomStringConvertible {
        var offset: Int
        package var description: String { "malformed JSON at byte \(offset)" }
    }

    /// A value in a tree that JSON has no form for.
    struct Unrepresentable: Error {}

    /// Deeper documents are refused rather than risking the stack.
    static let maximumDepth = 512

    package static func parse(_ bytes: some Collection<UInt8>) throws(Malformed) -> Any {
        try parse(bytes, keeping: .everything)
    }

    /// The tree with only what `projection` keeps: objects on a pointer's way hold just the
    /// members it names, arrays hold `NSNull` in the places it skips. The top-level object or
    /// array is always there, even when it keeps nothing.
    package static func parse(_ bytes: some Collection<UInt8>, keeping projection: JSONProjection) throws(Malformed) -> Any {
        let result: Result<Any, Malformed>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = Parser(bytes: buffer)
            return Result(catching: { () throws(Malformed) -> Any in try parser.document(projection) })
        }
        if let result { return try result.get() }
        return try parse(Array(bytes), keeping: projection)
    }

    /// What to build of a value: all of it, only what a projection names, or nothing.
    private enum Build {
        case all
        case some(JSONProjection)
        case none

        init(_ projection: JSONProjection?) {
            guard let projection else {
                self = .none
                return
            }
            self = projection.whole ? .all : .some(projection)
        }

        var builds: Bool {
            if case .none = self { false } else { true }
        }
    }

    private static let null = NSNull()

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var depth = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func document(_ projection: JSONProjection) throws(Malformed) -> Any {
            let result = try value(Build(projection))
            skipWhitespace()
            guard index == bytes.count, let result else { throw Malformed(offset: index) }
            return result
        }

        private var malformed: Malformed { Malformed(offset: index) }

        private mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        /// The value, or nil when `build` is `.none` (it is checked all the same).
        private mutating func value(_ build: Build) throws(Malformed) -> Any? {
            skipWhitespace()
            guard index < bytes.count else { throw malformed }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(build)
            case UInt8(ascii: "["): return try array(build)
            case UInt8(ascii: "\""): return try string(build.builds)
            case UInt8(ascii: "t"):
                try literal("true")
                return build.builds ? NSNumber(value: true) : nil
            case UInt8(ascii: "f"):
                try literal("false")
                return build.builds ? NSNumber(value: false) : nil
            case UInt8(ascii: "n"):
                try literal("null")
                return build.builds ? JSONTree.null : nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try number(build.builds)
            default:
                throw malformed
            }
        }

        private mutating func literal(_ word: StaticString) throws(Malformed) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw malformed }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw malformed }
            index += count
        }

        private mutating func enter() throws(Malformed) {
            depth += 1
            guard depth <= JSONTree.maximumDepth else { throw malformed }
            index += 1
        }

        private mutating func object(_ build: Build) throws(Malformed) -> [String: Any]? {
            try enter()
            defer { depth -= 1 }
            var object: [String: Any] = [:]
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return build.builds ? object : nil
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw malformed }
                let (key, member) = try member(of: build)
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw malformed }
                index += 1
                let value = try value(member)
                if let key, let value { object[key] = value }
                skipWhitespace()
                guard index < bytes.count else { throw malformed }
                switch bytes[index] {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return build.builds ? object : nil
                default: throw malformed
                }
            }
        }

        /// Reads a member's name, and decides what to build of its value.
        private mutating func member(of build: Build) throws(Malformed) -> (String?, Build) {
            switch build {
            case .all:
                return (try string(true), .all)
            case .none:
                _ = try string(false)
                return (nil, .none)
            case .some(let projection):
                let start = index
                _ = try string(false)
                let raw = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(index - 1)])
                guard raw.contains(UInt8(ascii: "\\")) else {
                    let child = projection.child(rawName: raw)
                    return (child == nil ? nil : String(decoding: raw, as: UTF8.self), Build(child))
                }
                // A name with escapes: decode it to compare (rare; the check already passed).
                index = start
                let name = try string(true) ?? ""
                return (name, Build(projection.child(named: name)))
            }
        }

        private mutating func array(_ build: Build) throws(Malformed) -> [Any]? {
            try enter()
            defer { depth -= 1 }
            var array: [Any] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return build.builds ? array : nil
            }
            while true {
                switch build {
                case .all:
                    array.append(try value(.all) ?? JSONTree.null)
                case .none:
                    _ = try value(.none)
                case .some(let projection):
                    // Skipped places hold NSNull, so kept elements keep their indices.
                    let child = projection.members.isEmpty ? nil : projection.child(named: String(array.count))
                    array.append(try value(Build(child)) ?? JSONTree.null)
                }
                skipWhitespace()
                guard index < bytes.count else { throw malformed }
                switch bytes[index] {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return build.builds ? array : nil
                default: throw malformed
                }
            }
        }

        /// The string, or nil when `build` is false (it is checked all the same).
        private mutating func string(_ build: Bool) throws(Malformed) -> String? {
            index += 1
            let start = index
            // The common case: no escapes, one copy straight into the String.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = build ? String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) : nil
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                guard byte >= 0x20 else { throw malformed }
                index += 1
            }
            var scalars = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return build ? String(decoding: scalars, as: UTF8.self) : nil
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < bytes.count else { throw malformed }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
                    case UInt8(ascii: "b"): scalars.append(0x08)
                    case UInt8(ascii: "f"): scalars.append(0x0C)
                    case UInt8(ascii: "n"): scalars.append(0x0A)
                    case UInt8(ascii: "r"): scalars.append(0x0D)
                    case UInt8(ascii: "t"): scalars.append(0x09)
                    case UInt8(ascii: "u"): scalars.append(contentsOf: try unicodeEscape())
                    default: throw Malformed(offset: index - 1)
                    }
                case 0..<0x20:
                    throw malformed
                default:
                    scalars.append(byte)
                    index += 1
                }
            }
            throw malformed
        }

        /// `\uXXXX`, with a following low surrogate when it is a high one; UTF-8 out.
        private mutating func unicodeEscape() throws(Malformed) -> String.UTF8View {
            var code = try hexQuad()
            if (0xD800..<0xDC00).contains(code) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw malformed
                }
                index += 2
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw malformed }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(code) {
                throw malformed
            }
            guard let scalar = Unicode.Scalar(code) else { throw malformed }
            return String(Character(scalar)).utf8
        }

        private mutating func hexQuad() throws(Malformed) -> UInt32 {
            guard index + 4 <= bytes.count else { throw malformed }
            var code: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw malformed
                }
                code = code << 4 | UInt32(digit)
                index += 1
            }
            return code
        }

        /// Integers that fit stay exact (`NSNumber.stringValue` gives their digits back, as ids
        /// need); the rest are doubles, as `JSONSerialization` makes them.
        private mutating func number(_ build: Bool) throws(Malformed) -> NSNumber? {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { throw malformed }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[index]) {
                skipDigits()
            } else {
                throw malformed
            }
            var integral = true
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                integral = false
                index += 1
                guard skipRequiredDigits() else { throw malformed }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                integral = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard skipRequiredDigits() else { throw malformed }
            }
            guard build else { return nil }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if integral {
                if let value = Int64(text) { return NSNumber(value: value) }
                if let value = UInt64(text) { return NSNumber(value: value) }
            }
            guard let value = Double(text) else { throw Malformed(offset: start) }
            return NSNumber(value: value)
        }

        private mutating func skipDigits() {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }

        private mutating func skipRequiredDigits() -> Bool {
            let start = index
            skipDigits()
            return index > start
        }
    }
}
