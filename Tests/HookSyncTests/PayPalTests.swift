import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import HookSync
@testable import HookSyncCore

/// PayPal signs with a certificate it names in each request. These run PayPal's requests
/// through the real receiver with the certificate served on loopback, under a provider file
/// whose allow-list names that server instead of PayPal's hosts.
@Suite struct PayPalTests {
    struct Vector: Decodable {
        var source: String
        var webhook_id: String
        var headers: [String: String]
        var body: String
        var certificate: String
        var now: Double
        var crc32: UInt32
    }

    static let vectors: [Vector] = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vectors/paypal/paypal-vectors.json")
        struct File: Decodable { var cases: [Vector] }
        return (try? JSONDecoder().decode(File.self, from: Data(contentsOf: file)).cases) ?? []
    }()

    /// A server that hands out certificates by name and records every path it was asked for,
    /// whatever it serves there.
    final class CertificateServer: Sendable {
        static let prefix = "/v1/notifications/certs/"
        let certificates: [String: String]
        private let requests = Mutex<[String]>([])
        var paths: [String] { requests.withLock { $0 } }
        /// The certificate names asked for.
        var fetched: [String] { paths.filter { $0.hasPrefix(Self.prefix) }.map { String($0.dropFirst(Self.prefix.count)) } }

        init(_ certificates: [String: String]) {
            self.certificates = certificates
        }

        func application() -> some ApplicationProtocol {
            let router = Router()
            router.get("/**") { request, _ in
                self.requests.withLock { $0.append(request.uri.path) }
                guard request.uri.path.hasPrefix(Self.prefix), let pem = self.certificates[String(request.uri.path.dropFirst(Self.prefix.count))]
                else { return Response(status: .notFound) }
                return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: pem)))
            }
            return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        }
    }

    /// The built-in provider file with its allow-list pointed at `origin`.
    static func providersDirectory(origin: String, in directory: TemporaryDirectory) throws -> String {
        let builtIn = try #require(BuiltinProviders.files["paypal.toml"])
        let start = try #require(builtIn.range(of: "certificate_origins = ["))
        let end = try #require(builtIn.range(of: "]\n", range: start.upperBound..<builtIn.endIndex))
        let local = builtIn.replacingCharacters(in: start.lowerBound..<end.upperBound, with: "certificate_origins = [\"\(origin)\"]\n")
        try FileManager.default.createDirectory(atPath: directory.file("providers"), withIntermediateDirectories: true)
        _ = try directory.write("providers/paypal.toml", local)
        return directory.file("providers")
    }

    @Test func theCRCIsSignedAsAnUnsignedDecimal() throws {
        #expect(Self.vectors.count == 2)
        for vector in Self.vectors {
            #expect(CRC32.checksum(Array(vector.body.utf8)) == vector.crc32)
        }
        #expect(Self.vectors.contains { $0.crc32 > UInt32(Int32.max) }, "a CRC above 2^31 shows the sign is right")
    }

    /// A webhook PayPal's sandbox really signed, and one signed by a test key: each verifies
    /// and is stored once; tampering, another webhook id, a URL off the allow-list, an expired
    /// certificate or one issued to another name is refused with 401 and stores nothing. A
    /// certificate is fetched once per URL and day.
    @Test(arguments: [0, 1])
    func paypalWebhooksVerifyAgainstTheirCertificate(_ index: Int) async throws {
        let vector = Self.vectors[index]
        let other = Self.vectors[1 - index]
        let server = CertificateServer(["CERT-ok": vector.certificate, "CERT-other": other.certificate, "CERT-junk": "not a certificate"])
        try await server.application().test(.live) { certs in
            let origin = "http://127.0.0.1:\(certs.port!)/v1/notifications/certs/"
            let directory = try TemporaryDirectory()
            let clock = ManualNow(Date(timeIntervalSince1970: vector.now))
            let harness = try await ReceiverHarness(
                sources: [
                    SourceConfig(name: "pp", provider: "paypal", webhookID: vector.webhook_id),
                    SourceConfig(name: "elsewhere", provider: "paypal", webhookID: "8PT597110X687430LKGECATA"),
                ],
                environment: [:],
                providersDirectory: try Self.providersDirectory(origin: origin, in: directory),
                now: clock.closure
            )
            @Sendable func headers(cert: String, signature: String? = nil) -> HTTPFields {
                var fields = HTTPFields()
                fields[.contentType] = "application/json"
                for (name, value) in vector.headers { fields[HTTPField.Name(name)!] = value }
                if let signature { fields[HTTPField.Name("PAYPAL-TRANSMISSION-SIG")!] = signature }
                fields[HTTPField.Name("PAYPAL-CERT-URL")!] = cert
                return fields
            }
            try await harness.application().test(.live) { client in
                func post(_ source: String, _ headers: HTTPFields, _ body: String? = nil) async throws -> HTTPResponse.Status {
                    let bytes = ByteBuffer(string: body ?? vector.body)
                    return try await client.execute(uri: "/webhooks/\(source)", method: .post, headers: headers, body: bytes).status
                }
                var status: HTTPResponse.Status
                var tampered = Array(vector.body.utf8)
                tampered[tampered.count / 2] ^= 0x01
                status = try await post("pp", headers(cert: origin + "CERT-ok"), String(decoding: tampered, as: UTF8.self))
                #expect(status == .unauthorized)
                status = try await post("elsewhere", headers(cert: origin + "CERT-ok"))
                #expect(status == .unauthorized, "signed for another webhook id")
                status = try await post("pp", headers(cert: origin + "CERT-other"))
                #expect(status == .unauthorized, "another certificate's key")
                status = try await post("pp", headers(cert: origin + "CERT-junk"))
                #expect(status == .unauthorized)
                status = try await post("pp", headers(cert: origin + "CERT-missing"))
                #expect(status == .unauthorized)
                let outside = "http://127.0.0.1:\(certs.port!)/v1/other/CERT-ok"
                status = try await post("pp", headers(cert: outside))
                #expect(status == .unauthorized)
                status = try await post("pp", headers(cert: origin + "../CERT-ok"))
                #expect(status == .unauthorized)
                // Off the allow-list nothing is fetched at all, not even from the same server.
                let paths = server.paths
                #expect(paths.allSatisfy { $0.hasPrefix(CertificateServer.prefix + "CERT-") }, "\(paths)")

                clock.date = Date(timeIntervalSince1970: vector.now + 20 * 365 * 86400)
                status = try await post("pp", headers(cert: origin + "CERT-ok"))
                #expect(status == .unauthorized, "the certificate has expired")
                clock.date = Date(timeIntervalSince1970: vector.now)
                #expect(try await harness.storedEvents().isEmpty)

                status = try await post("pp", headers(cert: origin + "CERT-ok"))
                #expect(status == .ok)
                status = try await post("pp", headers(cert: origin + "CERT-ok"))
                #expect(status == .ok, "a repeat is a duplicate")
            }
            let id = try #require(try JSONSerialization.jsonObject(with: Data(vector.body.utf8)) as? [String: Any])["id"] as? String
            #expect(try await harness.storedEvents().map(\.id) == [id])
            // Fetched once, kept for the first four requests, fetched again when the clock jumped
            // past a day, and kept for the last two.
            #expect(server.fetched.filter { $0 == "CERT-ok" }.count == 2, "\(server.fetched)")
        }
    }

    /// A PayPal source needs its webhook id to verify, and its app's client to poll: `hooksync
    /// check` names each missing key, and an api_key is no substitute.
    @Test func aPayPalSourceNeedsItsWebhookIDAndClientToPoll() throws {
        func issues(_ source: SourceConfig) throws -> [String] {
            let config = AgentConfig(file: "f.toml", dataDirectory: "/tmp/unused", sources: [source], routes: [])
            return try #require(throws: ConfigError.self) { try AgentSetup.prepare(config: config, environment: ["K": "x"]) }.issues.map(\.key)
        }
        #expect(try issues(SourceConfig(name: "pp", provider: "paypal")) == ["sources[0].webhook_id"])
        let polling = SourceConfig(name: "pp", provider: "paypal", mode: .hybrid, webhookID: "1JE4291016473214C", apiKey: .environment("K"))
        #expect(try issues(polling) == ["sources[0].client_id", "sources[0].client_secret"])
    }

    @Test func certificateURLsOutsideTheAllowListAreNotFetched() {
        let source = CertificateSource(header: HTTPField.Name("PAYPAL-CERT-URL")!, origins: ["https://api.paypal.com/v1/notifications/certs/"])
        #expect(source.allows("https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77"))
        for url in [
            "https://api.paypal.com.evil.example/v1/notifications/certs/CERT-1", "http://api.paypal.com/v1/notifications/certs/CERT-1",
            "https://api.paypal.com/v1/notifications/certs/../../oauth2/token", "https://api.paypal.com/v1/notifications/certs/CERT-1?x=1",
            "https://api.paypal.com/v1/notifications/certs/%2e%2e/x", "https://evil.example/v1/notifications/certs/CERT-1",
        ] {
            #expect(!source.allows(url), "\(url)")
        }
    }
}

extension PayPalTests {
    /// A hybrid PayPal source whose webhooks mostly never came: the one that did is verified
    /// against its certificate; polling with an OAuth token brings back every other event once,
    /// on one token for all pages and passes, and asks for a new token when PayPal refuses it.
    @Test func paypalIsPolledWithAnOAuthTokenAndEveryLostWebhookComesBackOnce() async throws {
        let vector = Self.vectors[1]
        let now = Date(timeIntervalSince1970: vector.now)
        let mock = MockPayPal()
        let delivered = try #require(try JSONSerialization.jsonObject(with: Data(vector.body.utf8)) as? [String: Any])
        mock.add(120, at: now.addingTimeInterval(-600))
        mock.add(JSONSerialization.sendable(delivered))
        mock.add(30, at: now.addingTimeInterval(-300))
        let certificates = CertificateServer(["CERT-ok": vector.certificate])
        try await certificates.application().test(.live) { certs in
            try await mock.application().test(.live) { api in
                let origin = "http://127.0.0.1:\(certs.port!)/v1/notifications/certs/"
                let scratch = try TemporaryDirectory()
                let providerFile = try String(contentsOfFile: Self.providersDirectory(origin: origin, in: scratch) + "/paypal.toml", encoding: .utf8)
                var source = SourceConfig(
                    name: "src",
                    provider: "paypal",
                    mode: .hybrid,
                    webhookID: vector.webhook_id,
                    apiBase: "http://127.0.0.1:\(api.port!)"
                )
                source.clientID = mock.clientID
                source.clientSecret = .environment("PAYPAL_CLIENT_SECRET")
                let harness = try await PollHarness(
                    source: source,
                    environment: ["PAYPAL_CLIENT_SECRET": mock.clientSecret],
                    routes: [RouteConfig(name: "all", action: .exec(["/bin/true"]))],
                    providerFiles: ["paypal.toml": providerFile]
                )
                try await harness.receiver(now: { now }).test(.live) { receiver in
                    var headers = HTTPFields()
                    headers[.contentType] = "application/json"
                    for (name, value) in vector.headers { headers[HTTPField.Name(name)!] = value }
                    headers[HTTPField.Name("PAYPAL-CERT-URL")!] = origin + "CERT-ok"
                    let response = try await receiver.execute(
                        uri: "/webhooks/src",
                        method: .post,
                        headers: headers,
                        body: ByteBuffer(string: vector.body)
                    )
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                }
                let first = try await harness.pass().run(since: now.addingTimeInterval(-3600))
                #expect(first.new == 150 && first.pages == 2, "\(first.line)")
                #expect(try await harness.storedCount() == 151)
                #expect(try await harness.inbox.status().routes.first?.pending == 151, "one delivery per event")

                let again = try await harness.pass().run(since: now.addingTimeInterval(-3600))
                #expect(again.new == 0, "\(again.line)")
                #expect(mock.tokenRequests == 1, "one token for every page of both passes")

                mock.revokeTokens()
                mock.add(5, at: Date())
                let after = try await harness.pass().run(since: now.addingTimeInterval(-3600))
                #expect(after.new == 5, "\(after.line)")
                #expect(mock.tokenRequests == 2, "a refused token is replaced once")
                #expect(try await harness.storedCount() == 156)
            }
        }
    }

    @Test func tokensAreRenewedBeforeTheyExpire() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let token = try #require(OAuthToken(answer: Array(#"{"access_token":"A21","token_type":"Bearer","expires_in":32400}"#.utf8), receivedAt: now))
        #expect(token.isUsable(at: now.addingTimeInterval(32400 - 61)))
        #expect(!token.isUsable(at: now.addingTimeInterval(32400 - 60)), "a minute of margin")
        let short = try #require(OAuthToken(answer: Array(#"{"access_token":"A21","expires_in":100}"#.utf8), receivedAt: now))
        #expect(!short.isUsable(at: now.addingTimeInterval(90)), "a tenth of a short life")
        #expect(OAuthToken(answer: Array(#"{"error":"invalid_client"}"#.utf8), receivedAt: now) == nil)
    }
}

extension JSONSerialization {
    /// A parsed JSON object as the mocks store it.
    fileprivate static func sendable(_ object: [String: Any]) -> [String: any Sendable] {
        object.compactMapValues { value in
            switch value {
            case let text as String: text
            case let number as NSNumber: number
            case let nested as [String: Any]: sendable(nested)
            case let array as [Any]: array.compactMap { ($0 as? [String: Any]).map(sendable) }
            default: nil
            }
        }
    }
}
