import Foundation

/// How a signature header writes its bytes.
public enum DigestEncoding: String, Sendable, CaseIterable {
    case hex
    case base64

    public func encode(_ bytes: [UInt8]) -> String {
        switch self {
        case .hex: HexEncoding.encode(bytes)
        case .base64: Data(bytes).base64EncodedString()
        }
    }

    public func decode(_ text: some StringProtocol) -> [UInt8]? {
        switch self {
        case .hex: HexEncoding.decode(text)
        case .base64: Data(base64Encoded: String(text)).map(Array.init)
        }
    }
}
