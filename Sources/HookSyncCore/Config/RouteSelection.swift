/// The deliveries a new event gets: one per route that selects it, and for routes with
/// `order_by`, the key that serialises it with the route's other events of that key.
public struct RouteSelection: Sendable, Equatable {
    public var routes: [String] = []
    /// Route name → order key; routes without `order_by`, or whose key the event lacks, are absent.
    public var orderKeys: [String: String] = [:]

    public init(routes: [String] = [], orderKeys: [String: String] = [:]) {
        self.routes = routes
        self.orderKeys = orderKeys
    }
}
