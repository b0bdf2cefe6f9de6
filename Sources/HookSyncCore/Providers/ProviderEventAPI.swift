/// The `[api]` table: the provider's event API, which lets hooksync poll for what webhooks missed.
public struct ProviderEventAPI: Sendable, Hashable {
    /// The API conventions the poller follows; each names a documented provider API.
    public enum Style: String, Sendable, CaseIterable {
        /// Stripe `GET /v1/events`, newest first, `ending_before` cursor.
        case stripeEvents = "stripe-events"
        /// GitHub repository or organisation hook deliveries, `Link` cursor.
        case githubDeliveries = "github-deliveries"
        /// Square `POST /v2/events` (SearchEvents), body cursor.
        case squareEvents = "square-events"
        /// Shopify Admin REST resources by `updated_at_min`, `Link` `page_info` cursor.
        case shopifyResources = "shopify-resources"
        /// A Svix polling endpoint, `iterator` and `done`.
        case svixPoller = "svix-poller"
        /// Described by the provider file's `[api]` keys, for in-house platforms.
        case generic
    }

    public var style: Style
    /// The API's default base URL; a source's `api_base` overrides it (mock servers, regions).
    public var baseURL: String?
    /// How far back the API can list events: older gaps cannot be repaired by polling.
    public var retention: Duration?
    /// The description of a `generic` API.
    public var generic: GenericEventAPI?
}

extension ProviderEventAPI {
    init?(reading table: TOMLReader) {
        let style: Style? = table.choice("style")
        table.rejectUnknownKeys(Set(["style", "base_url", "retention"]).union(style == .generic ? GenericEventAPI.keys : []))
        guard let style else {
            if !table.contains("style") { table.report("style", value: nil, expected: "a value (the key is required)") }
            return nil
        }
        var generic: GenericEventAPI?
        if style == .generic {
            generic = GenericEventAPI(reading: table)
            if generic == nil { return nil }
        }
        self.init(style: style, baseURL: table.string("base_url"), retention: table.duration("retention"), generic: generic)
    }
}
