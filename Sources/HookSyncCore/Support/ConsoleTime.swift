public import Foundation

/// Time as the CLI shows it.
public enum ConsoleTime {
    public static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// "3s", "5m", "2h", "4d": how long ago, for tables.
    public static func age(of date: Date, now: Date = Date()) -> String {
        age(seconds: now.timeIntervalSince(date))
    }

    /// The same for a span measured elsewhere (on a database server's clock, say).
    public static func age(seconds interval: Double) -> String {
        let seconds = max(0, Int(interval))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86400: return "\(seconds / 3600)h"
        default: return "\(seconds / 86400)d"
        }
    }
}
