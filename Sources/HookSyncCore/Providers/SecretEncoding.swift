public import Crypto
import Foundation

/// How a configured secret becomes HMAC key bytes. Most providers use the text as it is;
/// some show base64 or hex keys, often behind a prefix such as `whsec_`.
public struct SecretEncoding: Sendable, Hashable, CustomStringConvertible {
    public enum Format: String, Sendable, CaseIterable {
        case utf8
        case base64
        case hex
    }

    public var format: Format
    /// Stripped when present, as the Standard Webhooks libraries strip `whsec_`.
    public var prefix: String

    public init(format: Format = .utf8, prefix: String = "") {
        self.format = format
        self.prefix = prefix
    }

    public func key(for secret: Secret) throws(SecretFormatError) -> SymmetricKey {
        var text = Substring(secret.value)
        if !prefix.isEmpty && text.hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
        let bytes: [UInt8]?
        switch format {
        case .utf8: bytes = Array(text.utf8)
        case .base64: bytes = Data(base64Encoded: String(text)).map(Array.init)
        case .hex: bytes = HexEncoding.decode(text)
        }
        guard let bytes, !bytes.isEmpty else {
            throw SecretFormatError(reason: "the secret must be \(self); this one does not decode")
        }
        return SymmetricKey(data: bytes)
    }

    public var description: String {
        let body =
            switch format {
            case .utf8: "non-empty text"
            case .base64: "base64"
            case .hex: "hex"
            }
        return prefix.isEmpty ? body : "\(body) after an optional \"\(prefix)\""
    }
}
