public import HTTPTypes

/// Where a provider that signs with a certificate says to fetch it (PayPal's `PAYPAL-CERT-URL`),
/// and the only places it may be fetched from.
///
/// The URL arrives in the request, before anything is verified: fetching whatever it names
/// would let anyone make the agent call any address, or sign with their own certificate.
public struct CertificateSource: Sendable, Hashable {
    public var header: HTTPField.Name
    /// URL prefixes, scheme to path (`https://api.paypal.com/v1/notifications/certs/`).
    public var origins: [String]

    public init(header: HTTPField.Name, origins: [String]) {
        self.header = header
        self.origins = origins
    }

    /// Whether `url` may be fetched: under one of the origins, with nothing that could lead
    /// the fetch elsewhere (no dot segments, user info, query or fragment).
    public func allows(_ url: String) -> Bool {
        guard origins.contains(where: { url.hasPrefix($0) }) else { return false }
        let path = url.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" }
        return !path.contains("..") && !url.contains("@") && !url.contains("?") && !url.contains("#") && !url.contains("%")
    }
}
