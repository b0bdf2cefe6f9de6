import Foundation
import HookSyncCore
public import Logging

/// The agent's log: one line per record on stderr, as text or as a JSON object.
///
/// Text, the default: `2026-11-22T14:26:21.123Z info hooksync: event_id=evt_1 source=shop
/// event stored`. JSON (`--log-format json`), for journald (`journalctl -o cat`) and log
/// shippers: `{"time", "level", "label", "message", …metadata}`. Metadata never carries secrets
/// or bodies: the agent does not log them in any format.
///
/// It replaces swift-log's `StreamLogHandler`, whose local-time formatting and per-line module
/// lookup cost more than storing the event the line reports, at thousands of webhooks a second.
public struct LineLogHandler: LogHandler {
    public enum Format: Sendable {
        case text
        case json
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let format: Format
    private let write: @Sendable (String) -> Void

    public init(
        label: String,
        level: Logger.Level,
        format: Format = .text,
        write: @escaping @Sendable (String) -> Void = LogTime.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = event.metadata.map { metadata.merging($0, uniquingKeysWith: { $1 }) } ?? metadata
        switch format {
        case .text:
            var line = LogTime.now()
            line.reserveCapacity(160)
            line += " "
            line += event.level.rawValue
            line += " "
            line += label
            line += ":"
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line += " "
                line += key
                line += "="
                if case .string(let text) = value { line += text } else { line += value.description }
            }
            line += " "
            line += event.message.description
            write(line)
        case .json:
            var fields = merged.mapValues { "\($0)" }
            fields["time"] = LogTime.now()
            fields["level"] = event.level.rawValue
            fields["label"] = label
            fields["message"] = "\(event.message)"
            write(FlatJSON.object(fields))
        }
    }
}
