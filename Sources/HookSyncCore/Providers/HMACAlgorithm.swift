public import Crypto

/// The hash behind an HMAC signature. SHA-1 stays for the providers that still sign with it
/// (Twilio, Square's legacy header); as an HMAC it is not broken the way bare SHA-1 is.
public enum HMACAlgorithm: String, Sendable, CaseIterable {
    case sha1
    case sha256
    case sha512

    public var byteCount: Int {
        switch self {
        case .sha1: Insecure.SHA1.byteCount
        case .sha256: SHA256.byteCount
        case .sha512: SHA512.byteCount
        }
    }

    public func authenticationCode(for message: [UInt8], key: SymmetricKey) -> [UInt8] {
        switch self {
        case .sha1: Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
        case .sha256: Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .sha512: Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
        }
    }

    /// Compares in constant time.
    public func isValid(_ code: [UInt8], for message: [UInt8], key: SymmetricKey) -> Bool {
        switch self {
        case .sha1: HMAC<Insecure.SHA1>.isValidAuthenticationCode(code, authenticating: message, using: key)
        case .sha256: HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message, using: key)
        case .sha512: HMAC<SHA512>.isValidAuthenticationCode(code, authenticating: message, using: key)
        }
    }
}
