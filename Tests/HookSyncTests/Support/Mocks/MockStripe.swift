import Foundation
import HTTPTypes
import Hummingbird

@testable import HookSync
@testable import HookSyncCore
@testable import HookSyncDemo

/// Stripe's event API for tests: the simulated Stripe that `hooksync demo` runs, behind the
/// mocks' scripted faults and held requests.
final class MockStripe: MockProvider {
    let provider = "stripe"
    let api = MockAPI()
    let secret = "whsec_mock_stripe_secret_0123456789"
    let stripe = SimulatedStripe(apiKey: "sk_test_mock_51Hooksync")
    var apiKey: String { stripe.apiKey }
    var environment: [String: String] { ["MOCK_KEY": apiKey, "MOCK_SECRET": secret] }

    @discardableResult
    func add(_ count: Int, at date: Date = Date()) -> [String] {
        stripe.add(count, at: date)
    }

    func webhook(_ id: String) -> (headers: HTTPFields, body: String) {
        let body = stripe.body(of: id)
        var headers = StripeSignature().sign(WebhookRequest(headers: [:], body: body), secret: Secret(secret), id: id, timestamp: Date())
        headers[.contentType] = "application/json"
        return (headers, String(decoding: body, as: UTF8.self))
    }

    func configure(_ source: inout SourceConfig) {}

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/events") { request, _ in
            if let fault = self.api.intercept(request) { return fault }
            await self.api.waitIfHeld()
            return self.stripe.list(request)
        }
    }
}
