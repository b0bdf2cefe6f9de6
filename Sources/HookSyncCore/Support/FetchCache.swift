/// Values that take a request to get, such as PayPal's signing certificates and OAuth tokens:
/// each is fetched at most once at a time per key, kept while it stays fresh, and the oldest
/// dropped beyond `capacity`. Callers racing for one key share one fetch.
package actor FetchCache<Key: Hashable & Sendable, Value: Sendable> {
    private var values: [Key: (value: Value, order: Int)] = [:]
    private var fetching: [Key: Task<Value, any Error>] = [:]
    private var stored = 0
    private let capacity: Int

    package init(capacity: Int) {
        self.capacity = capacity
    }

    /// The kept value for `key` if `isFresh` still holds for it, else what `fetch` returns.
    package func value(
        for key: Key,
        isFresh: (Value) -> Bool,
        fetch: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        if let kept = values[key], isFresh(kept.value) { return kept.value }
        let task = fetching[key] ?? Task { try await fetch() }
        fetching[key] = task
        defer { fetching[key] = nil }
        let value = try await task.value
        if values[key] == nil, values.count >= capacity, let oldest = values.min(by: { $0.value.order < $1.value.order })?.key {
            values[oldest] = nil
        }
        stored += 1
        values[key] = (value, stored)
        return value
    }

    /// Drops the kept value for `key` if `matches` says it is the one to drop.
    package func remove(_ key: Key, if matches: (Value) -> Bool) {
        if let kept = values[key], matches(kept.value) { values[key] = nil }
    }
}
