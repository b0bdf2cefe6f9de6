import Foundation

/// Parses the human durations used throughout the configuration (`"30s"`, `"1h"`, `"250ms"`).
///
/// Config files are written by people, so a duration is always a number followed by one unit;
/// a bare number is refused rather than guessed at.
public enum ConfigDuration {
    /// Parses `value`, returning nil when it is not `<number><unit>` with unit `ms`, `s`, `m`, `h` or `d`.
    public static func parse(_ value: String) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        let units: [(suffix: String, milliseconds: Double)] = [
            ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
        ]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }),
                let amount = Double(number), amount.isFinite
            else { continue }
            return .milliseconds(Int64((amount * unit.milliseconds).rounded()))
        }
        return nil
    }

    /// Renders a duration the way a person would write it in the config file.
    public static func format(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        for (suffix, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)]
        where ms >= size && ms % size == 0 {
            return "\(ms / size)\(suffix)"
        }
        return "\(ms)ms"
    }

    static let expectation = "a duration such as \"500ms\", \"30s\", \"5m\", \"1h\" or \"7d\""
}

extension Duration {
    /// Whole milliseconds, rounded down; the resolution every timer in hooksync works at.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }

    /// The duration as fractional seconds, for timestamps stored in SQLite.
    public var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
