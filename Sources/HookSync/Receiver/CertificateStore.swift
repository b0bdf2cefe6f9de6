import AsyncHTTPClient
import Foundation
import HookSyncCore
import NIOCore
import NIOHTTP1

/// The signing certificates providers point to (PayPal's `PAYPAL-CERT-URL`), fetched once per
/// URL and kept: a provider names a certificate by URL and signs every webhook with it until
/// it rotates, so only the first webhook after a rotation waits for a fetch.
///
/// The caller has checked the URL against the provider's allow-list; the fetch itself goes
/// over TLS with the system's trust roots, which is what vouches for the file's origin.
actor CertificateStore {
    private struct Entry {
        var pem: String
        var fetched: Date
    }

    /// A certificate is fetched again after this long, so a revoked one does not live forever.
    static let lifetime: TimeInterval = 24 * 3600
    /// Enough for every certificate a provider uses at once; the oldest goes first beyond it.
    static let capacity = 64
    /// A PEM certificate chain is a few kilobytes.
    static let maxSize = 64 * 1024

    private var entries: [String: Entry] = [:]
    private var fetching: [String: Task<String, any Error>] = [:]

    /// The PEM at `url`, from the cache or fetched (one fetch at a time per URL).
    func pem(for url: String, now: Date) async throws(SignatureFailure) -> String {
        if let entry = entries[url], now.timeIntervalSince(entry.fetched) < Self.lifetime { return entry.pem }
        let task = fetching[url] ?? Task { try await Self.fetch(url) }
        fetching[url] = task
        defer { fetching[url] = nil }
        do {
            let pem = try await task.value
            if entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.fetched < $1.value.fetched })?.key {
                entries[oldest] = nil
            }
            entries[url] = Entry(pem: pem, fetched: now)
            return pem
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
        let body = try await response.body.collect(upTo: maxSize)
        return String(buffer: body)
    }
}
