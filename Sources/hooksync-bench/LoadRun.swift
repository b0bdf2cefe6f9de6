import Foundation
import HookSyncTesting

/// One load run's figures, whichever generator drove it, with what the generator itself cost.
struct LoadRun {
    var load: LoadResult
    /// `wrk`, or `hooksync-bench` for this process's own generator.
    var generator: String
    /// Of every answer, in milliseconds; infinite where the percentile reaches into failures.
    var p50: Double
    var p99: Double
    var p999: Double
    /// The generator's own CPU time per request sent, in milliseconds.
    var generatorCPU: Double
    /// Requests sent beyond those signed beforehand: each one a repeat, so the run is void.
    var exhausted = 0

    /// From this process's generator, whose CPU is this process's over the run.
    init(_ load: LoadResult, cpuSeconds: Double) {
        self.load = load
        generator = "hooksync-bench"
        p50 = load.latency(50)
        p99 = load.latency(99)
        p999 = load.latency(99.9)
        generatorCPU = cpuSeconds * 1000 / Double(max(1, load.acknowledged + load.failed))
    }

    init(load: LoadResult, generator: String, p50: Double, p99: Double, p999: Double, generatorCPU: Double, exhausted: Int) {
        self.load = load
        self.generator = generator
        self.p50 = p50
        self.p99 = p99
        self.p999 = p999
        self.generatorCPU = generatorCPU
        self.exhausted = exhausted
    }

    var rate: Double { load.rate }

    /// "wrk: 9.1 µs CPU/request", and a warning if the signed requests ran out.
    var note: String {
        "\(generator): \(Report.format(generatorCPU * 1000, digits: 1)) µs CPU/request"
            + (exhausted > 0 ? "; ran out of signed requests, \(exhausted) sent twice" : "")
    }
}

extension Measurement {
    /// A row from a load run; the generator's own CPU per request goes into the notes.
    init(_ scenario: String, run: LoadRun, unit: String = "events/s", note: String = "") {
        self.init(scenario, unit: unit, note: note.isEmpty ? run.note : note + "; " + run.note)
        rate = run.rate
        p50 = run.p50
        p99 = run.p99
        p999 = run.p999
    }
}
