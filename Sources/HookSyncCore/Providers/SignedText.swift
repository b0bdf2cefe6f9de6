import Foundation

/// What a signature covers in one request and the send time it claims: the part every
/// template-driven scheme (HMAC or public-key) reads the same way before checking its own maths.
struct SignedText {
    var message: [UInt8]
    /// The timestamp's time, to check against the replay window once the signature matches.
    var sentAt: Date?

    /// - Parameter label: the signature's location, named in the failure when a part is missing.
    init(
        _ request: WebhookRequest,
        document: EventDocument?,
        template: SignedTemplate,
        timestamp: SignatureLocation?,
        format: TimestampFormat,
        label: String
    ) throws(SignatureFailure) {
        var timestampText: String?
        if let timestamp {
            guard let text = timestamp.values(in: request, document: document).first else { throw .missingHeader(timestamp.label) }
            guard let date = format.parse(text) else {
                throw .malformedHeader(timestamp.label, reason: "expected \(format.expectation)")
            }
            timestampText = text
            sentAt = date
        }
        guard let message = template.message(for: request, timestamp: timestampText, document: document) else {
            throw .malformedHeader(label, reason: "the request lacks a part of the signed text \"\(template)\"")
        }
        self.message = message
    }
}
