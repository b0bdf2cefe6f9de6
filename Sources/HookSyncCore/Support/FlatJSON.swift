/// A JSON object of string values with sorted keys, written directly.
///
/// Headers stored with every event, the receiver's answers and JSON log lines are all this
/// shape; `JSONEncoder` costs several times more per call, which shows at thousands of
/// webhooks a second.
package enum FlatJSON {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    package static func object(_ fields: [String: String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(64 * fields.count + 2)
        for (offset, key) in fields.keys.sorted().enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            appendString(fields[key] ?? "", to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON string literal, escaped as RFC 8259 requires; bytes of multi-byte UTF-8
    /// sequences are all above 0x7F and pass through.
    static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: out += Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
