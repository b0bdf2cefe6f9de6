import Foundation

/// Content-type comparisons that ignore parameters and case, as HTTP requires.
enum MediaType {
    /// `application/json; charset=utf-8` → `application/json`.
    static func essence(of contentType: String?) -> String? {
        guard let contentType else { return nil }
        // Every webhook asks this twice; Foundation's trimming costs more than the whole scan.
        let type = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        let trimmed = type.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        return String(decoding: trimmed, as: UTF8.self).lowercased()
    }
}
