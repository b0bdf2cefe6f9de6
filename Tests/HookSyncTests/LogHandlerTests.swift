import Foundation
import Logging
import Synchronization
import Testing

@testable import HookSync
@testable import HookSyncCore

/// Both log formats: what a line holds, in which order, and a UTC timestamp.
@Suite struct LogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ line: String) { lines.withLock { $0.append(line) } }
    }

    /// RFC 3339 in UTC with milliseconds, and within a few seconds of now.
    static func isTimestamp(_ text: some StringProtocol) -> Bool {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard text.count == 24, text.hasSuffix("Z"), let date = formatter.date(from: String(text)) else { return false }
        return abs(date.timeIntervalSinceNow) < 5
    }

    @Test func textLinesCarrySortedMetadataAfterTheLabel() throws {
        let lines = Lines()
        var logger = Logger(label: "hooksync") { label in LineLogHandler(label: label, level: .info, write: lines.append) }
        logger[metadataKey: "source"] = "shop"
        logger.info("event stored", metadata: ["event_id": "evt_1", "attempt": "2"])
        logger.debug("below the level")
        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1)
        let (time, rest) = (line.prefix { $0 != " " }, line.drop { $0 != " " })
        #expect(rest == " info hooksync: attempt=2 event_id=evt_1 source=shop event stored")
        #expect(Self.isTimestamp(time), "\(line)")
    }

    @Test func jsonLinesAreOneObjectWithTheSameTime() throws {
        let lines = Lines()
        let logger = Logger(label: "hooksync") { label in LineLogHandler(label: label, level: .info, format: .json, write: lines.append) }
        logger.warning("webhook rejected", metadata: ["reason": "a \"quoted\"\nline"])
        let line = try #require(lines.all.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["message"] == "webhook rejected")
        #expect(object["level"] == "warning")
        #expect(object["reason"] == "a \"quoted\"\nline")
        #expect(Self.isTimestamp(object["time"] ?? ""))
    }

}
