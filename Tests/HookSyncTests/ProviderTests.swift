import Foundation
import HTTPTypes
import Testing

@testable import HookSync

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

    @Test func builtInProvidersLoad() throws {
        let registry = try ProviderRegistry.builtIn()
        #expect(registry["stripe"]?.scheme.name == "stripe")
        #expect(registry["standard-webhooks"]?.scheme.name == "standard-webhooks")
    }

    @Test func stripeEventFields() throws {
        let stripe = try #require(try ProviderRegistry.builtIn()["stripe"])
        let fields = try stripe.eventFields(headers: [:], body: Array(Vectors.Stripe.body.utf8))
        #expect(fields == EventFields(id: "evt_1PtestABCDEF", type: "customer.created", occurredAt: Date(timeIntervalSince1970: 1_700_000_000)))
    }

    @Test func standardWebhooksEventFieldsTakeTheIdFromTheHeader() throws {
        let provider = try #require(try ProviderRegistry.builtIn()["standard-webhooks"])
        var headers = HTTPFields()
        headers[HTTPField.Name("webhook-id")!] = Vectors.StandardWebhooks.id
        let fields = try provider.eventFields(headers: headers, body: Array(Vectors.StandardWebhooks.body.utf8))
        #expect(fields.id == Vectors.StandardWebhooks.id)
        #expect(fields.type == "contact.created")
        let occurred = try #require(fields.occurredAt)
        #expect(abs(occurred.timeIntervalSince1970 - 1_667_507_170.344522) < 0.001)
    }

    @Test func malformedBodiesAreNamed() throws {
        let stripe = try #require(try ProviderRegistry.builtIn()["stripe"])
        #expect(throws: EventParseError.malformedJSON) { try stripe.eventFields(headers: [:], body: Array("{\"id\":".utf8)) }
        #expect(throws: EventParseError.malformedJSON) { try stripe.eventFields(headers: [:], body: Array("\"text\"".utf8)) }
        #expect(throws: EventParseError.missingField(name: "type", source: "/type")) {
            try stripe.eventFields(headers: [:], body: Array("{\"id\":\"evt_1\"}".utf8))
        }
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
}
