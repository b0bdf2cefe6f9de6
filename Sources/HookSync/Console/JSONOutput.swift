import Foundation
import HookSyncCore

/// The JSON the CLI prints with `--json`: stable key order and RFC 3339 dates, so scripts and
/// `jq` can rely on it.
public enum JSONOutput {
    public static func string(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ConsoleTime.rfc3339(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
