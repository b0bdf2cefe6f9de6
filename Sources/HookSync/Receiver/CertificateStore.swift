import AsyncHTTPClient
import Foundation
import HookSyncCore
import NIOCore
import NIOHTTP1

/// The signing certificates providers point to (PayPal's `PAYPAL-CERT-URL`), fetched once per
/// URL and kept a day: a provider names a certificate by URL and signs every webhook with it
/// until it rotates, so only the first webhook after a rotation waits for a fetch.
///
/// The caller has checked the URL against the provider's allow-list; the fetch itself goes
/// over TLS with the system's trust roots, which is what vouches for the file's origin.
struct CertificateStore: Sendable {
    /// A certificate is fetched again after this long, so a revoked one does not live forever.
    static let lifetime: TimeInterval = 24 * 3600
    /// A PEM certificate chain is a few kilobytes.
    static let maxSize = 64 * 1024

    /// Enough for every certificate a provider uses at once.
    private let cache = FetchCache<String, (pem: String, fetched: Date)>(capacity: 64)

    /// The PEM at `url`, kept or fetched.
    func pem(for url: String, now: Date) async throws(SignatureFailure) -> String {
        do {
            return try await cache.value(for: url, isFresh: { now.timeIntervalSince($0.fetched) < Self.lifetime }) {
                (try await Self.fetch(url), now)
            }.pem
        } catch let failure as SignatureFailure {
            throw failure
        } catch {
            throw .certificate("cannot fetch \(url): \(error)")
        }
    }

    private static func fetch(_ url: String) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        guard response.status == .ok else {
            throw SignatureFailure.certificate("\(url) answered \(response.status.code)")
        }
        return String(buffer: try await response.body.collect(upTo: maxSize))
    }
}
