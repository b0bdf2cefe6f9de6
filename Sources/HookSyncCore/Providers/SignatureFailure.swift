/// Why a webhook was refused. Each case names what to look at, and none carries a secret.
public enum SignatureFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case missingHeader(String)
    case malformedHeader(String, reason: String)
    /// Well-formed, but no signature matched any configured secret.
    case mismatch
    /// Signed longer ago than the tolerance allows (a replay or a badly skewed clock).
    case stale(seconds: Int)
    /// Signed further in the future than the tolerance allows.
    case future(seconds: Int)
    /// The certificate the request points to cannot be fetched or is not the provider's.
    case certificate(String)

    public var description: String {
        switch self {
        case .missingHeader(let name): name.hasPrefix("body field") ? "missing \(name)" : "missing \(name) header"
        case .malformedHeader(let name, let reason): "malformed \(name) header: \(reason)"
        case .mismatch: "signature mismatch: no signature matches the configured secret(s)"
        case .stale(let seconds): "timestamp outside tolerance: stale by \(seconds) s"
        case .future(let seconds): "timestamp outside tolerance: \(seconds) s in the future"
        case .certificate(let reason): "signing certificate refused: \(reason)"
        }
    }

    /// A short label for logs and metrics.
    public var reason: String {
        switch self {
        case .missingHeader: "missing_header"
        case .malformedHeader: "malformed_header"
        case .mismatch: "mismatch"
        case .stale: "stale"
        case .future: "future"
        case .certificate: "certificate"
        }
    }
}
