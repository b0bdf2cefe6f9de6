import Foundation
import Testing

@testable import HookSync
@testable import HookSyncCore

/// `hooksync providers`, `hooksync verify` and provider-file errors in `hooksync check`, run
/// as the built binary.
@Suite struct ProviderCommandTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        _ = try directory.write("stripe.secret", Vectors.Stripe.secret + "\n")
        _ = try directory.write("square-old.secret", "sq_signature_key_retired\n")
        _ = try directory.write("square.secret", Vectors.Square.signatureKey + "\n")
    }

    func cli(_ arguments: String...) async throws -> HookSyncBinary.Output {
        try await HookSyncBinary.run(arguments + ["--config", directory.file("hooksync.toml")], in: directory)
    }

    func writeConfig(_ extra: String = "") throws {
        _ = try directory.write(
            "hooksync.toml",
            """
            data_dir = "./data"
            \(extra)
            [http]
            listen = "127.0.0.1:0"
            [[sources]]
            name = "sq"
            provider = "square"
            webhook_url = "\(Vectors.Square.notificationURL)"
            webhook_secret = ["file:./square-old.secret", "file:./square.secret"]
            [[sources]]
            name = "shop"
            provider = "stripe"
            webhook_secret = "file:./stripe.secret"
            """
        )
    }

    @Test func providersListsBuiltInsAndLocalFilesWithPollability() async throws {
        try writeConfig("providers_dir = \"./providers\"")
        let acme = """
            name = "acme"
            title = "Acme"
            [signature]
            scheme = "hmac"
            header = "X-Acme-Signature"
            [event]
            id = "/id"
            type = "/type"
            """
        try FileManager.default.createDirectory(atPath: directory.file("providers"), withIntermediateDirectories: true)
        _ = try directory.write("providers/acme.toml", acme)
        let output = try await cli("providers")
        #expect(output.status == 0, "\(output.stderr)")
        let rows = output.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        func row(_ name: String) -> [Substring]? { rows.first { $0.first.map(String.init) == name } }
        #expect(row("stripe")?.dropFirst().prefix(3) == ["stripe", "stripe-events", "30d"])
        #expect(row("square")?.dropFirst().prefix(3) == ["hmac", "square-events", "28d"])
        #expect(row("slack")?.dropFirst().prefix(2) == ["hmac", "no"])
        #expect(row("razorpay")?.dropFirst().prefix(2) == ["hmac", "no"], "Razorpay has no event API to poll")
        #expect(row("paddle")?.dropFirst().prefix(3) == ["stripe", "generic", "90d"])
        #expect(row("acme")?.last.map(String.init) == directory.file("providers/acme.toml"))
        for name in ["github", "shopify", "svix", "standard-webhooks", "twilio"] { #expect(row(name) != nil, "\(name) missing") }
        #expect(output.stdout.contains("X-Acme-Signature: <hex hmac-sha256> over \"{body}\""))

        let json = try await cli("providers", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let list = try #require(object["providers"] as? [[String: Any]])
        #expect(list.count == 34)
        #expect(
            list.first { $0["name"] as? String == "paypal" }?["keys"] as? [String] == [
                "webhook_id", "client_id (to poll)", "client_secret (to poll)",
            ]
        )
        let paddle = try #require(list.first { $0["name"] as? String == "paddle" })
        #expect(paddle["keys"] as? [String] == ["webhook_secret", "api_key (to poll)"])
        #expect(paddle["poll"] as? String == "generic")
        let zoom = try #require(list.first { $0["name"] as? String == "zoom" })
        #expect((zoom["handshake"] as? String)?.contains("endpoint.url_validation") == true)
        #expect(list.first { $0["name"] as? String == "discord" }?["keys"] as? [String] == ["public_key"])
        #expect(list.first { $0["name"] as? String == "meta" }?["keys"] as? [String] == ["webhook_secret", "verify_token"])
    }

    @Test func malformedProviderFileFailsCheckWithFileKeyAndReason() async throws {
        try writeConfig("providers_dir = \"./providers\"")
        try FileManager.default.createDirectory(atPath: directory.file("providers"), withIntermediateDirectories: true)
        let path = try directory.write(
            "providers/bad.toml",
            "name = \"bad\"\n[signature]\nscheme = \"hmac\"\nalgorithm = \"md5\"\n[event]\nid = \"/id\"\n"
        )
        let output = try await cli("check")
        #expect(output.status == 1)
        #expect(output.stderr.contains("\(path): signature.algorithm = \"md5\": expected \"sha1\" or \"sha256\" or \"sha512\""), "\(output.stderr)")
        #expect(output.stderr.contains("\(path): signature.header"))
        #expect(output.stderr.contains("\(path): event.type"))
    }

    @Test func squareSourceWithoutWebhookURLFailsCheck() async throws {
        _ = try directory.write(
            "hooksync.toml",
            "[http]\n[[sources]]\nname = \"sq\"\nprovider = \"square\"\nwebhook_secret = \"file:./square.secret\"\n"
        )
        let output = try await cli("check")
        #expect(output.status == 1)
        #expect(output.stderr.contains("sources[0].webhook_url"), "\(output.stderr)")
        #expect(output.stderr.contains("Square"))
    }

    @Test func verifySaysWhichSecretMatchedOrExactlyWhyNot() async throws {
        try writeConfig()
        _ = try directory.write(
            "square.headers",
            """
            POST /webhooks/sq HTTP/1.1
            Host: example.com
            Content-Type: application/json
            x-square-hmacsha256-signature: \(Vectors.Square.signature)

            """
        )
        _ = try directory.write("square.body", Vectors.Square.body)
        let verified = try await cli("verify", "--source", "sq", "--headers", "square.headers", "--body", "square.body")
        #expect(verified.status == 0, "\(verified.stderr) \(verified.stdout)")
        #expect(verified.stdout.contains("verified (source sq, provider square)"))
        #expect(verified.stdout.contains("webhook_secret[1] of 2"))
        #expect(verified.stdout.contains("event id:  13b867cf-db3d-4b1c-90b6-2f32a9d78124"))
        #expect(verified.stdout.contains("type:      payment.created"))

        _ = try directory.write("tampered.body", Vectors.Square.body.replacingOccurrences(of: "APPROVED", with: "APPROVEd"))
        let tampered = try await cli("verify", "--source", "sq", "--headers", "square.headers", "--body", "tampered.body")
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("not verified (source sq, provider square): signature mismatch"))

        _ = try directory.write("stripe.headers", "{\"Stripe-Signature\": \"\(Vectors.Stripe.header)\"}")
        _ = try directory.write("stripe.body", Vectors.Stripe.body)
        let stale = try await cli("verify", "--source", "shop", "--headers", "stripe.headers", "--body", "stripe.body", "--at", "1700000400")
        #expect(stale.status == 1)
        #expect(stale.stdout.contains("timestamp outside tolerance: stale by 400 s"), "\(stale.stdout)")
        let onTime = try await cli(
            "verify",
            "--source",
            "shop",
            "--headers",
            "stripe.headers",
            "--body",
            "stripe.body",
            "--at",
            "1700000010",
            "--json"
        )
        #expect(onTime.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(onTime.stdout.utf8)) as? [String: Any])
        #expect(report["event_id"] as? String == "evt_1PtestABCDEF")
        #expect(report["secret_index"] as? Int == 0)

        _ = try directory.write("none.headers", "Content-Type: application/json\n")
        let unsigned = try await cli("verify", "--source", "shop", "--headers", "none.headers", "--body", "stripe.body")
        #expect(unsigned.stdout.contains("missing Stripe-Signature header"))

        for output in [verified, tampered, stale, onTime, unsigned] {
            for secret in [Vectors.Square.signatureKey, Vectors.Stripe.secret, "sq_signature_key_retired"] {
                #expect(!output.stdout.contains(secret) && !output.stderr.contains(secret), "a secret was printed")
            }
        }
    }
}
