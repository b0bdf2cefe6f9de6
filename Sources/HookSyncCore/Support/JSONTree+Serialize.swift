import Foundation

extension JSONTree {
    /// Writes a tree back as JSON with sorted keys and unescaped slashes, as
    /// `JSONSerialization` does with those options; nil for a value JSON cannot hold.
    ///
    /// A polled page holds many events; each is stored as its own body, so each is written
    /// back out. `JSONSerialization.data` made that the slowest step of a backfill.
    static func serialize(_ value: Any) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        return write(value, to: &out) ? out : nil
    }

    private static func write(_ value: Any, to out: inout [UInt8]) -> Bool {
        switch value {
        case let string as String:
            FlatJSON.appendString(string, to: &out)
        case let object as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (offset, key) in object.keys.sorted().enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                FlatJSON.appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                guard let member = object[key], write(member, to: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        case let array as [Any]:
            out.append(UInt8(ascii: "["))
            for (offset, element) in array.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, to: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case is NSNull:
            out += Array("null".utf8)
        case let number as NSNumber:
            guard let text = text(of: number) else { return false }
            out += Array(text.utf8)
        default:
            return false
        }
        return true
    }

    /// Booleans as `true`/`false`, integers with their exact digits, other numbers in the
    /// shortest form that reads back the same; NaN and infinities have no JSON form.
    private static func text(of number: NSNumber) -> String? {
        switch UInt8(bitPattern: number.objCType.pointee) {
        case UInt8(ascii: "c"), UInt8(ascii: "B"):
            return number.boolValue ? "true" : "false"
        case UInt8(ascii: "f"), UInt8(ascii: "d"):
            let double = number.doubleValue
            guard double.isFinite else { return nil }
            if double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) }
            return "\(double)"
        default:
            return number.stringValue
        }
    }
}
