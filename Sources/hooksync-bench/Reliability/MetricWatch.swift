import Synchronization

/// One metric of a running agent, scraped every 200 ms as a dashboard would, keeping each
/// change of value: what an operator saw of the agent from outside while a scenario ran,
/// whatever its log or inbox says afterwards.
final class MetricWatch: Sendable {
    private let changes = Mutex<[Double]>([])
    private let scraping = Mutex<Task<Void, Never>?>(nil)

    init(bench: Workbench, port: Int, sample name: String) {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                // A scrape that fails (the agent between two runs) just has no value to add.
                if let value = try? await bench.metrics(port: port)[name] {
                    guard let self else { return }
                    self.changes.withLock { if $0.last != value { $0.append(value) } }
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        scraping.withLock { $0 = task }
    }

    deinit { scraping.withLock { $0?.cancel() } }

    /// Every value the metric took, in order, each once per change.
    var seen: [Double] { changes.withLock { $0 } }

    func stop() async {
        let task = scraping.withLock { $0 }
        task?.cancel()
        await task?.value
    }
}
