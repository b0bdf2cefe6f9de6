import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What both log formats share: UTC timestamps and the write to stderr.
public enum LogTime {
    /// One `write` per line, unbuffered: journald timestamps and orders lines as they come.
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { buffer in _ = Foundation.write(2, buffer.baseAddress, buffer.count) }
    }

    /// RFC 3339 in UTC with milliseconds, formatted without a `DateFormatter`.
    public static func now() -> String {
        // Milliseconds since 1970 from the wall clock (`timespec` is not visible here on Linux
        // under member import visibility; `Date` reads the same clock).
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        var parts = tm()
        var seconds = time_t(now / 1000)
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = Int(now % 1000)
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}
