/// Builds a source's event feed from its provider's `[api]` and the source's keys.
enum EventFeedFactory {
    /// A source key that is missing or wrong for the provider's API.
    struct Problem: Error {
        var key: String
        var expected: String
    }

    static func make(
        source: SourceConfig,
        provider: ProviderDefinition,
        api: ProviderEventAPI,
        apiKey: Secret,
        clientSecret: Secret? = nil,
        routes: [RouteConfig] = []
    ) throws(Problem) -> any EventFeed {
        let polling = source.polling
        let base = source.apiBase ?? api.baseURL
        switch api.style {
        case .stripeEvents:
            return StripeEventFeed(baseURL: base ?? "https://api.stripe.com", apiKey: apiKey.value, types: exactTypes(routes, source: source.name))
        case .squareEvents:
            return SquareEventFeed(baseURL: base ?? "https://connect.squareup.com", accessToken: apiKey.value, overlap: polling.overlap)
        case .shopifyResources:
            guard let base else {
                throw Problem(key: "api_base", expected: "the shop's URL, such as \"https://example.myshopify.com\"")
            }
            return ShopifyResourceFeed(baseURL: base, accessToken: apiKey.value, resource: polling.resource, overlap: polling.overlap)
        case .githubDeliveries:
            guard let hookID = polling.hookID else {
                throw Problem(key: "hook_id", expected: "the id of the GitHub hook whose deliveries to poll")
            }
            let owner: GitHubDeliveryFeed.Owner
            switch (polling.repository, polling.organization) {
            case (let repository?, nil): owner = .repository(repository)
            case (nil, let organization?): owner = .organization(organization)
            default: throw Problem(key: "repo", expected: "either repo = \"owner/name\" or org = \"name\" (one of them)")
            }
            return GitHubDeliveryFeed(
                baseURL: base ?? "https://api.github.com",
                token: apiKey.value,
                owner: owner,
                hookID: hookID,
                redeliver: polling.redeliver
            )
        case .svixPoller:
            guard let base else {
                throw Problem(
                    key: "api_base",
                    expected: "the polling endpoint's URL, such as \"https://api.svix.com/api/v1/app/app_…/poller/poll_…\""
                )
            }
            return SvixPollerFeed(endpoint: base, token: apiKey.value)
        case .generic:
            guard let base, let generic = api.generic else {
                throw Problem(key: "api_base", expected: "the API's base URL (or base_url in the provider file's [api])")
            }
            var oauth: OAuthClientCredentials?
            if case .oauth(let tokenPath) = generic.auth {
                guard let clientID = source.clientID, let clientSecret else {
                    throw Problem(key: "client_id", expected: "the client id and client_secret of the \(provider.title) app to get tokens with")
                }
                let root = base.hasSuffix("/") ? String(base.dropLast()) : base
                oauth = OAuthClientCredentials(tokenURL: root + tokenPath, clientID: clientID, clientSecret: clientSecret.value)
            }
            return GenericEventFeed(
                baseURL: base,
                apiKey: apiKey.value,
                api: generic,
                mapping: provider.event,
                overlap: polling.overlap,
                oauth: oauth
            )
        }
    }

    /// The event types the source's routes name exactly, or none when any route takes a
    /// pattern or everything: then the API must list every type.
    static func exactTypes(_ routes: [RouteConfig], source: String) -> [String] {
        let selecting = routes.filter { $0.takes(source: source) }
        guard !selecting.isEmpty, selecting.allSatisfy({ !$0.events.isEmpty && $0.events.allSatisfy { !$0.pattern.contains("*") } }) else {
            return []
        }
        return Array(Set(selecting.flatMap { $0.events.map(\.pattern) })).sorted()
    }
}
