import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HookSync
@testable import HookSyncCore

/// Every signature vector, through the real HTTP receiver and a real inbox file: the request
/// as the provider sends it is stored once with the right id, type and dedup key; each
/// mutation of it is refused with 401 and stores nothing.
@Suite struct ProviderVectorTests {
    static let cases: [VectorCase] = VectorCase.reference + ((try? VectorCase.sdkGenerated()) ?? [])

    @Test func sdkVectorsAreReadable() throws {
        let generated = try VectorCase.sdkGenerated()
        #expect(generated.count >= 10)
        #expect(Set(generated.map(\.provider)).isSuperset(of: ["stripe", "svix", "standard-webhooks", "slack", "twilio", "square", "github"]))
    }

    @Test(arguments: cases)
    func vectorThroughTheReceiver(_ vector: VectorCase) async throws {
        let clock = ManualNow(vector.now)
        let (sources, environment) = vector.sources
        let harness = try await ReceiverHarness(sources: sources, environment: environment, maxBody: 64 * 1024, now: clock.closure)
        let query = vector.query.map { "?" + $0 } ?? ""
        try await harness.application().test(.live) { client in
            for mutation in vector.mutations {
                clock.date = mutation.now
                let response = try await client.execute(
                    uri: "/webhooks/\(mutation.source)\(query)",
                    method: .post,
                    headers: mutation.headers,
                    body: ByteBuffer(bytes: mutation.body)
                )
                #expect(response.status == mutation.status, "\(mutation.label): \(String(buffer: response.body))")
                #expect(try await harness.storedEvents().isEmpty, "\(mutation.label) stored an event")
            }
            let original = vector.original
            clock.date = original.now
            let response = try await client.execute(
                uri: "/webhooks/vector\(query)",
                method: .post,
                headers: original.headers,
                body: ByteBuffer(bytes: original.body)
            )
            #expect(response.status == original.status, "\(String(buffer: response.body))")
            if let reply = vector.expectedReply {
                #expect(String(buffer: response.body) == reply)
            }
        }
        let events = try await harness.storedEvents()
        guard let expected = vector.expectedBatch ?? vector.expected.map({ [$0] }) else {
            #expect(events.isEmpty)
            return
        }
        #expect(events.map(\.id).sorted() == expected.map(\.id).sorted())
        for event in expected {
            let detail = try #require(try await harness.inbox.eventDetails(id: event.dedupKey, source: "vector").first, "\(event.dedupKey)")
            #expect(detail.dedupKey == event.dedupKey)
            #expect(detail.summary.type == event.type)
        }
    }
}
