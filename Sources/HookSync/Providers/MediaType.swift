import Foundation

/// Content-type comparisons that ignore parameters and case, as HTTP requires.
enum MediaType {
    /// `application/json; charset=utf-8` → `application/json`.
    static func essence(of contentType: String?) -> String? {
        guard let contentType else { return nil }
        return contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }
}
