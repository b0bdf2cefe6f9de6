import Foundation

/// Parses sizes such as `"1MiB"` or `"512KB"` for limits like `http.max_body`.
public enum ByteSize {
    /// Returns the number of bytes, or nil when `value` is not a whole number with a known unit.
    public static func parse(_ value: String) -> Int? {
        let text = value.trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
            ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000),
            ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("B", 1),
        ]
        for (suffix, size) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let amount = Int(number), amount >= 0 else { return nil }
            let (bytes, overflow) = amount.multipliedReportingOverflow(by: size)
            return overflow ? nil : bytes
        }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }

    static let expectation = "a size such as \"1MiB\", \"512KiB\" or \"2000000\" (bytes)"
}
