public import Foundation

/// How a provider writes an event's occurrence time.
public enum TimestampFormat: String, Sendable, CaseIterable {
    /// Seconds since 1970 as a number or numeric string (Stripe's `created`).
    case unix
    /// Milliseconds since 1970 as a number or numeric string (Clerk's `timestamp`).
    case unixMilliseconds = "unix_ms"
    /// An RFC 3339 / ISO 8601 date-time, fractional seconds optional.
    case rfc3339
    /// An ISO 8601 date-time without an offset, in UTC (WooCommerce's `date_modified_gmt`).
    case utc

    var expectation: String {
        switch self {
        case .unix: "seconds since 1970"
        case .unixMilliseconds: "milliseconds since 1970"
        case .rfc3339: "an RFC 3339 date-time"
        case .utc: "an ISO 8601 date-time in UTC"
        }
    }

    /// The text a provider would send for `date`.
    public func format(_ date: Date) -> String {
        switch self {
        case .unix: String(Int(date.timeIntervalSince1970))
        case .unixMilliseconds: String(Int64((date.timeIntervalSince1970 * 1000).rounded()))
        case .rfc3339:
            {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                return formatter.string(from: date)
            }()
        case .utc: String(ISO8601DateFormatter().string(from: date).dropLast())
        }
    }

    public func parse(_ value: Any) -> Date? {
        switch self {
        case .unix, .unixMilliseconds:
            let scale = self == .unix ? 1.0 : 1000.0
            if let number = value as? NSNumber { return Date(timeIntervalSince1970: number.doubleValue / scale) }
            if let text = value as? String, let count = Double(text) { return Date(timeIntervalSince1970: count / scale) }
            return nil
        case .rfc3339:
            guard let text = value as? String else { return nil }
            return Self.parseRFC3339(text)
        case .utc:
            guard let text = value as? String else { return nil }
            return Self.parseRFC3339(text.hasSuffix("Z") ? text : text + "Z")
        }
    }

    /// Parses RFC 3339 with any number of fractional digits: the fraction is split off by hand
    /// because formatters disagree on more than three digits (Standard Webhooks sends six).
    static func parseRFC3339(_ text: String) -> Date? {
        var whole = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix(while: \.isNumber)
            guard !digits.isEmpty, let value = Double("0." + digits) else { return nil }
            fraction = value
            whole = String(text[..<dot]) + String(text[text.index(after: dot)...].dropFirst(digits.count))
        }
        guard let date = ISO8601DateFormatter().date(from: whole) else { return nil }
        return date.addingTimeInterval(fraction)
    }
}
