import Foundation

/// Content-type comparisons that ignore parameters and case, as HTTP requires.
enum MediaType {
    /// `application/json; charset=utf-8` → `application/json`.
    static func essence(of contentType: String?) -> String? {
        guard let contentType else { return nil }
        // Every webhook asks this twice; Foundation's trimming costs more than the whole scan.
        // Media types are ASCII (RFC 9110), so ASCII case folding is all they need.
        let bytes = contentType.utf8
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
        var start = bytes.startIndex
        while start < end, isSpace(bytes[start]) { start = bytes.index(after: start) }
        while end > start, isSpace(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        let lowered = bytes[start..<end].map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        return String(decoding: lowered, as: UTF8.self)
    }
}
