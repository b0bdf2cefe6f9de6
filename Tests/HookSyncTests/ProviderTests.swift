import Foundation
import HTTPTypes
import Testing

@testable import HookSync
@testable import HookSyncCore

@Suite struct ProviderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func embeddedDefinitionsMatchTheProvidersDirectory() throws {
        let directory = Self.root.appendingPathComponent("providers").path
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".toml") }.sorted()
        #expect(files == BuiltinProviders.files.keys.sorted(), "run `make providers` after adding a provider file")
        for file in files {
            let text = try String(contentsOfFile: (directory as NSString).appendingPathComponent(file), encoding: .utf8)
            #expect(
                BuiltinProviders.files[file] == text.trimmingCharacters(in: .newlines),
                "providers/\(file) changed: run `make providers`"
            )
        }
    }

    /// Clerk writes its envelope's time in milliseconds: `unix_ms` reads it, as a number or a
    /// string, and writes it back.
    @Test func millisecondTimestampsAreRead() {
        let date = Date(timeIntervalSince1970: 1_654_012_591.835)
        #expect(TimestampFormat.unixMilliseconds.parse(NSNumber(value: 1_654_012_591_835)) == date)
        #expect(TimestampFormat.unixMilliseconds.parse("1654012591835") == date)
        #expect(TimestampFormat.unixMilliseconds.parse("soon") == nil)
        #expect(TimestampFormat.unixMilliseconds.format(date) == "1654012591835")
        #expect(TimestampFormat(rawValue: "unix_ms") == .unixMilliseconds)
    }

    @Test func builtInProvidersLoad() throws {
        let registry = try ProviderRegistry.builtIn()
        let schemes = registry.providers.mapValues(\.scheme.name)
        #expect(
            schemes == [
                "stripe": "stripe", "standard-webhooks": "standard-webhooks", "svix": "standard-webhooks", "github": "hmac",
                "shopify": "hmac", "square": "hmac", "slack": "hmac", "twilio": "twilio", "razorpay": "hmac",
                "checkout": "hmac", "clerk": "standard-webhooks", "resend": "standard-webhooks",
                "zendesk": "hmac", "gitlab": "token", "postmark": "token", "bitbucket": "hmac", "linear": "hmac", "intercom": "hmac",
                "docusign": "hmac", "zoom": "hmac", "twitch": "hmac", "mailgun": "hmac", "paddle": "stripe", "lemonsqueezy": "hmac",
                "woocommerce": "hmac", "discord": "ed25519", "sendgrid": "ecdsa-p256-sha256", "adyen": "hmac", "hubspot": "hmac",
                "meta": "hmac", "mollie": "hmac", "paypal": "certificate", "braintree": "braintree",
            ]
        )
        #expect(registry["stripe"]?.api?.retention == .seconds(30 * 86400))
        #expect(registry["square"]?.api?.retention == .seconds(28 * 86400))
        #expect(registry["github"]?.api?.retention == .seconds(3 * 86400))
        #expect(registry["slack"]?.api == nil)
        #expect(registry["square"]?.scheme.signsURL == true)
        #expect(registry["twilio"]?.scheme.signsURL == true)
        #expect(registry["github"]?.scheme.tolerance == nil)
        #expect(registry["shopify"]?.scheme.tolerance == .seconds(5 * 3600))
    }

    /// Shopify's webhook and the same order state polled from orders.json must collide.
    @Test func shopifyWebhookAndPolledOrderShareTheDedupKey() async throws {
        let shopify = try #require(try ProviderRegistry.builtIn()["shopify"])
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Shopify-Topic")!] = "orders/updated"
        headers[HTTPField.Name("X-Shopify-Event-Id")!] = Vectors.Shopify.eventID
        let webhook = try shopify.event.fields(headers: headers, body: Array(Vectors.Shopify.body.utf8))
        let polled = try #require(EventDocument(json: Array(Vectors.Shopify.polledOrder.utf8)))
        let polledKey = try #require(shopify.event.dedupKey.render(polled))
        #expect(webhook.dedupKey == polledKey)
        #expect(webhook.id == Vectors.Shopify.eventID)

        let directory = try TemporaryDirectory()
        let inbox = try await InboxFactory.open(.sqlite(path: directory.file("inbox.sqlite")), access: .create)
        func event(_ id: String, _ origin: EventOrigin, _ body: String) -> IncomingEvent {
            IncomingEvent(
                source: "shop",
                eventID: id,
                dedupKey: polledKey,
                type: "orders/updated",
                occurredAt: nil,
                receivedAt: Date(),
                origin: origin,
                headers: [:],
                body: Array(body.utf8),
                routes: []
            )
        }
        #expect(try await inbox.store(event(webhook.id, .webhook, Vectors.Shopify.body)) == .stored)
        #expect(try await inbox.store(event(polledKey, .poll, Vectors.Shopify.polledOrder)) == .duplicate)

        // A later state of the same order is a new event.
        let later = Vectors.Shopify.polledOrder.replacingOccurrences(of: "12:15:47", with: "12:20:01")
        let laterKey = shopify.event.dedupKey.render(try #require(EventDocument(json: Array(later.utf8))))
        #expect(laterKey != polledKey)
    }

    @Test func githubTypeCombinesEventAndActionAndKeyNamesTheHook() throws {
        let github = try #require(try ProviderRegistry.builtIn()["github"])
        var headers = HTTPFields()
        headers[HTTPField.Name("X-GitHub-Event")!] = "issues"
        headers[HTTPField.Name("X-GitHub-Delivery")!] = Vectors.GitHub.delivery
        headers[HTTPField.Name("X-GitHub-Hook-ID")!] = Vectors.GitHub.hookID
        let fields = try github.event.fields(headers: headers, body: Array(Vectors.GitHub.body.utf8))
        #expect(fields.type == "issues.opened")
        #expect(fields.id == Vectors.GitHub.delivery)
        #expect(fields.dedupKey == "292430182:\(Vectors.GitHub.delivery)")
        headers[HTTPField.Name("X-GitHub-Event")!] = "push"
        #expect(try github.event.fields(headers: headers, body: Array(#"{"ref":"refs/heads/main"}"#.utf8)).type == "push")
        headers[HTTPField.Name("X-GitHub-Hook-ID")!] = nil
        #expect(throws: EventParseError.missingField(name: "dedup_key", source: "{header:X-GitHub-Hook-ID}:{header:X-GitHub-Delivery}")) {
            try github.event.fields(headers: headers, body: Array(Vectors.GitHub.body.utf8))
        }
    }

    @Test func formPayloadBecomesTheStoredJSON() throws {
        let github = try #require(try ProviderRegistry.builtIn()["github"])
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        let json = #"{"action":"closed","note":"a+b & c"}"#
        let form = "payload=" + json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let decoded = try github.event.decode(headers: headers, body: Array(form.utf8))
        #expect(String(decoding: decoded.body, as: UTF8.self) == json)
        #expect(decoded.contentType == "application/json")
        #expect(throws: EventParseError.malformedJSON) { try github.event.decode(headers: headers, body: Array("payload=%7Bnope".utf8)) }
    }

    @Test func templatesTakeTheFirstPresentAlternative() throws {
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Hook")!] = "7"
        let document = EventDocument(headers: headers, body: ["id": 12_345_678_901_234_567, "name": "", "nested": ["a/b": "x"]] as [String: Any])
        #expect(FieldTemplate("{header:X-Hook}:{/missing|/id}")?.render(document) == "7:12345678901234567")
        #expect(FieldTemplate("{/name}")?.render(document) == nil, "an empty string counts as absent")
        #expect(FieldTemplate("{/nested/a~1b}-{{literal}}")?.render(document) == "x-{literal}")
        #expect(FieldTemplate("{/missing}") != nil)
        #expect(FieldTemplate("{/missing") == nil)
        #expect(FieldTemplate("{nope}") == nil)
        #expect(FieldTemplate("a}b") == nil)
        #expect(FieldRule(["{/missing}", "{/id}"])?.render(document) == "12345678901234567")
        #expect(FieldRule(["{/missing}", "fallback"])?.render(document) == "fallback")
    }

    /// The documented example must stay a working provider file.
    @Test func readmeExampleParses() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("providers/README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "```toml\n"))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let acme = try ProviderDefinition.parse(String(readme[start.upperBound..<end.lowerBound]), file: "README.md", origin: "docs")
        #expect(acme.name == "acme")
        #expect(acme.scheme.summary == "X-Acme-Signature: sha512=<base64 hmac-sha512> over \"{timestamp}.{body}\"")
        #expect(acme.delivery.retryWindow == .seconds(86400))
        #expect(acme.api?.generic?.path == "/v2/activity")
    }

    @Test func literalIdsAreRefusedBecauseEveryEventWouldCollide() throws {
        let text = """
            name = "acme"
            [signature]
            scheme = "hmac"
            header = "X-Acme-Signature"
            [event]
            id = ["{/id}", "same-for-all"]
            type = "/type"
            """
        let error = try #require(throws: ConfigError.self) { try ProviderDefinition.parse(text, file: "acme.toml", origin: "test") }
        #expect(error.issues.map(\.key) == ["event.id"])
    }

    @Test func everySchemeReportsItsOwnBadKeys() throws {
        let text = """
            name = "acme"
            [signature]
            scheme = "hmac"
            header = "X Bad Header"
            algorithm = "md5"
            encoding = "base32"
            signed = "{timestamp}.{bodyy}"
            secret_encoding = "rot13"
            [signature.fallback]
            algorithm = "sha1"
            [event]
            id = "/id"
            type = "/type"
            [api]
            style = "carrier-pigeon"
            [delivery]
            timeout = "soon"
            """
        let error = try #require(throws: ConfigError.self) { try ProviderDefinition.parse(text, file: "acme.toml", origin: "test") }
        #expect(
            Set(error.issues.map(\.key)) == [
                "signature.header", "signature.algorithm", "signature.encoding", "signature.signed", "signature.secret_encoding",
                "signature.fallback.header", "api.style", "delivery.timeout",
            ]
        )
        let algorithm = try #require(error.issues.first { $0.key == "signature.algorithm" })
        #expect(algorithm.description.contains("\"sha256\""))
    }

    @Test func stripeEventFields() throws {
        let stripe = try #require(try ProviderRegistry.builtIn()["stripe"])
        let fields = try stripe.event.fields(headers: [:], body: Array(Vectors.Stripe.body.utf8))
        #expect(
            fields
                == EventFields(
                    id: "evt_1PtestABCDEF",
                    type: "customer.created",
                    dedupKey: "evt_1PtestABCDEF",
                    occurredAt: Date(timeIntervalSince1970: 1_700_000_000)
                )
        )
    }

    @Test func standardWebhooksEventFieldsTakeTheIdFromTheHeader() throws {
        let provider = try #require(try ProviderRegistry.builtIn()["standard-webhooks"])
        var headers = HTTPFields()
        headers[HTTPField.Name("webhook-id")!] = Vectors.StandardWebhooks.id
        let fields = try provider.event.fields(headers: headers, body: Array(Vectors.StandardWebhooks.body.utf8))
        #expect(fields.id == Vectors.StandardWebhooks.id)
        #expect(fields.type == "contact.created")
        let occurred = try #require(fields.occurredAt)
        #expect(abs(occurred.timeIntervalSince1970 - 1_667_507_170.344522) < 0.001)
    }

    @Test func malformedBodiesAreNamed() throws {
        let stripe = try #require(try ProviderRegistry.builtIn()["stripe"])
        #expect(throws: EventParseError.malformedJSON) { try stripe.event.fields(headers: [:], body: Array("{\"id\":".utf8)) }
        #expect(throws: EventParseError.malformedJSON) { try stripe.event.fields(headers: [:], body: Array("\"text\"".utf8)) }
        #expect(throws: EventParseError.missingField(name: "type", source: "/type")) {
            try stripe.event.fields(headers: [:], body: Array("{\"id\":\"evt_1\"}".utf8))
        }
    }

    /// A header name that cannot be one is refused with its key and value wherever the file
    /// has it, never replaced by another header.
    @Test func invalidHeaderNamesAreRefusedWhereverTheFileHasThem() throws {
        let text = """
            name = "acme"
            keep_headers = ["X-Good", "Bad Header"]
            [signature]
            scheme = "hmac"
            header = "X-Acme-Signature"
            timestamp_header = "X(ts)"
            [event]
            id = "/id"
            type = "/type"
            [sample]
            type = "ping"
            body = "{}"
            [sample.headers]
            "X Event" = "ping"
            X-Fine = "yes"
            """
        let error = try #require(throws: ConfigError.self) { try ProviderDefinition.parse(text, file: "acme.toml", origin: "test") }
        #expect(Set(error.issues.map(\.key)) == ["keep_headers", "signature.timestamp_header", "sample.headers.X Event"], "\(error)")
        #expect(error.issues.allSatisfy { $0.description.contains("an HTTP header name") }, "\(error)")
    }

    @Test func malformedProviderFileNamesFileKeyAndReason() throws {
        let text = """
            name = "acme"
            colour = "blue"
            [signature]
            scheme = "rot13"
            [event]
            id = "id"
            """
        let error = try #require(throws: ConfigError.self) {
            try ProviderDefinition.parse(text, file: "/etc/hooksync/providers/acme.toml", origin: "test")
        }
        #expect(error.issues.allSatisfy { $0.file == "/etc/hooksync/providers/acme.toml" })
        #expect(Set(error.issues.map(\.key)) == ["colour", "signature.scheme", "event.id", "event.type"])
    }

    @Test func providersDirectoryOverridesAndExtendsBuiltIns() throws {
        let directory = try TemporaryDirectory()
        let stripe = try String(contentsOf: Self.root.appendingPathComponent("providers/stripe.toml"), encoding: .utf8)
        _ = try directory.write("stripe.toml", stripe.replacingOccurrences(of: "title = \"Stripe\"", with: "title = \"Stripe (local)\""))
        _ = try directory.write("acme.toml", stripe.replacingOccurrences(of: "name = \"stripe\"", with: "name = \"acme\""))
        let registry = try ProviderRegistry.load(directory: directory.path)
        #expect(registry["stripe"]?.title == "Stripe (local)")
        #expect(registry["acme"]?.origin == directory.file("acme.toml"))
        #expect(registry["standard-webhooks"]?.origin == "built-in")
        _ = try directory.write("broken.toml", "name = \"broken\"\n")
        let error = try #require(throws: ConfigError.self) { try ProviderRegistry.load(directory: directory.path) }
        #expect(error.issues.allSatisfy { $0.file == directory.file("broken.toml") })
    }

    @Test func jsonPointerEscapes() throws {
        let document: [String: Any] = ["a/b": ["m~n": [10, 20]]]
        #expect(JSONPointer("/a~1b/m~0n/1")?.resolve(in: document) as? Int == 20)
        #expect(JSONPointer("/a~1b/m~0n/2")?.resolve(in: document) == nil)
        #expect(JSONPointer("no-slash") == nil)
    }

    /// Braintree's notifications are XML: elements become objects, repeated ones and
    /// `type="array"` ones arrays, entities and CDATA text; anything malformed is refused.
    @Test func xmlBecomesATreePointersWalk() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a notification -->
            <notification>
              <kind>dispute_opened</kind>
              <subject><dispute><id>d1</id><reason>caf&#233; &amp; <![CDATA[<fraud>]]></reason>
                <evidence type="array"><item><id>e1</id></item><item><id>e2</id></item></evidence>
                <tag>a</tag><tag>b</tag><empty/></dispute></subject>
            </notification>
            """
        let tree = try #require(XMLTree.parse(Array(xml.utf8)))
        let document = EventDocument(body: tree)
        #expect(document.text(at: .body(JSONPointer("/notification/kind")!)) == "dispute_opened")
        #expect(document.text(at: .body(JSONPointer("/notification/subject/dispute/reason")!)) == "café & <fraud>")
        #expect(document.text(at: .body(JSONPointer("/notification/subject/dispute/evidence/1/id")!)) == "e2")
        #expect(document.text(at: .body(JSONPointer("/notification/subject/dispute/tag/1")!)) == "b")
        for malformed in ["<a><b></a>", "<a>", "<a></a><b></b>", "<a x=1></a>", "<a>&bogus;</a>", "text"] {
            #expect(XMLTree.parse(Array(malformed.utf8)) == nil, "\(malformed)")
        }
    }
}
