/// `application/x-www-form-urlencoded` bodies, which GitHub (form format), Slack and Twilio send.
enum FormEncoding {
    /// Name–value pairs in body order: `+` is a space, `%XX` a byte; malformed escapes stay as they are.
    static func parse(_ body: some Collection<UInt8>) -> [(name: String, value: String)] {
        body.split(separator: UInt8(ascii: "&")).map { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The fields as a flat object for JSON pointers; the first of repeated names wins.
    static func object(_ body: some Collection<UInt8>) -> [String: Any] {
        var object: [String: Any] = [:]
        for (name, value) in parse(body) where object[name] == nil {
            object[name] = value
        }
        return object
    }

    static func decode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"),
                let high = bytes.index(index, offsetBy: 1, limitedBy: bytes.endIndex), high < bytes.endIndex,
                let low = bytes.index(index, offsetBy: 2, limitedBy: bytes.endIndex), low < bytes.endIndex,
                let value = hexValue(bytes[high]).flatMap({ h in hexValue(bytes[low]).map { h << 4 | $0 } })
            {
                out.append(value)
                index = low
            } else {
                out.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
