public import Foundation
public import HookSyncCore

/// What `hooksync verify` found for a captured request: the signature verdict, and for a
/// verified one, the event hooksync would store. Never includes a secret.
public struct VerifyReport: Sendable, Codable {
    public var source: String
    public var provider: String
    public var verified: Bool
    /// Why the request was refused, as the receiver would answer it.
    public var failure: String?
    /// Which `webhook_secret` entry matched (0-based), when several are configured.
    public var secretIndex: Int?
    public var secretCount: Int
    public var eventID: String?
    public var type: String?
    public var dedupKey: String?
    /// Why a verified request would still be refused (400): its body does not map to an event.
    public var eventError: String?

    enum CodingKeys: String, CodingKey {
        case source, provider, verified, failure, type
        case secretIndex = "secret_index"
        case secretCount = "secret_count"
        case eventID = "event_id"
        case dedupKey = "dedup_key"
        case eventError = "event_error"
    }

    /// Runs the source's verification and event mapping on a captured request.
    public static func check(source: ResolvedSource, request: WebhookRequest, now: Date) -> VerifyReport {
        var report = VerifyReport(
            source: source.name,
            provider: source.provider.name,
            verified: false,
            secretCount: source.secrets.count
        )
        do {
            report.secretIndex = try source.scheme.verify(request, secrets: source.secrets, now: now)
            report.verified = true
        } catch {
            report.failure = error.description
            return report
        }
        do {
            let fields = try source.provider.event.fields(headers: request.headers, body: request.body)
            report.eventID = fields.id
            report.type = fields.type
            report.dedupKey = fields.dedupKey
        } catch {
            report.eventError = error.description
        }
        return report
    }

    public func render() -> String {
        guard verified else {
            return "not verified (source \(source), provider \(provider)): \(failure ?? "unknown reason")"
        }
        var lines = ["verified (source \(source), provider \(provider))"]
        if let secretIndex {
            let note = secretIndex > 0 ? " — not the first: is a rotation still under way?" : ""
            lines.append("  secret:    webhook_secret[\(secretIndex)] of \(secretCount)\(note)")
        }
        if let eventError {
            lines.append("  but the body would be refused (400): \(eventError)")
        } else {
            lines.append("  event id:  \(eventID ?? "")")
            lines.append("  type:      \(type ?? "")")
            if dedupKey != eventID { lines.append("  dedup key: \(dedupKey ?? "")") }
        }
        return lines.joined(separator: "\n")
    }
}
