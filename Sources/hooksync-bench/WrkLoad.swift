import Foundation
import HookSyncTesting
import NIOCore
import NIOHTTP1

/// A closed-loop load driven by wrk (Debian's package) from requests signed beforehand: the
/// generator users reproduce the figures with, and one that costs the shared machine less CPU
/// per request than any generator written here.
///
/// Each request is written once, raw, into one file per wrk thread; the Lua script sends each
/// file's requests in order and reads back the event id of every 2xx answer, so the inbox check
/// after the run knows exactly which events were acknowledged. Requests are never sent twice:
/// a run that would need more than were signed reports it, as a load error.
struct WrkLoad {
    static let binary = "/usr/bin/wrk"
    static let threads = 2

    var port: Int
    var connections: Int
    var seconds: Double
    /// The requests, in order; `count` of them are signed before the run.
    var requests: any RequestMaker
    var count: Int
    /// The same request again and again (a baseline that checks nothing), instead of `count`.
    var repeatsOne = false

    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    func run(in directory: String) async throws -> LoadRun {
        // Hundreds of megabytes of requests: in memory (tmpfs) where there is one, so that their
        // writeback does not compete with the agent's fsyncs; removed after the run either way.
        let scratch = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : directory
        let base = "\(scratch)/hooksync-bench-wrk-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer {
            for file in (0..<Self.threads).map({ "\(base).\($0)" }) + [base + ".out", base + ".acknowledged"] {
                try? FileManager.default.removeItem(atPath: file)
            }
        }
        try write(base: base)
        let script = "\(directory)/hooksync-bench.lua"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        let output = base + ".out"
        let acknowledged = base + ".acknowledged"
        let status = try await Subprocess.run(
            Self.binary,
            [
                "-t\(Self.threads)", "-c\(connections)", "-d\(max(1, Int(seconds.rounded())))s", "--timeout", "10s",
                "-s", script, "http://127.0.0.1:\(port)/",
            ],
            environment: ["HOOKSYNC_WRK_REQUESTS": base, "HOOKSYNC_WRK_ACKNOWLEDGED": acknowledged],
            output: output
        )
        let printed = try String(contentsOfFile: output, encoding: .utf8)
        guard status == 0, let line = printed.split(separator: "\n").last(where: { $0.hasPrefix("hooksync-bench ") }) else {
            throw BenchError("wrk exited \(status): \(printed.suffix(2000))")
        }
        var fields: [String: Double] = [:]
        for pair in line.split(separator: " ").dropFirst() {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let value = Double(parts[1]) { fields[String(parts[0])] = value }
        }
        func field(_ name: String) throws -> Double {
            guard let value = fields[name] else { throw BenchError("wrk's summary has no \(name): \(line)") }
            return value
        }
        var log = ConnectionLog()
        let answered = Int(try field("requests"))
        let refused = Int(try field("status"))
        log.statuses[200] = answered - refused
        if refused > 0 { log.statuses[599] = refused }
        log.unanswered = Int(try field("connect") + field("read") + field("write") + field("timeout"))
        if !repeatsOne {
            let keys = try String(contentsOfFile: acknowledged, encoding: .utf8)
            log.acknowledged = keys.split(separator: "\n").compactMap { Int($0) }
        }
        let load = LoadResult(log: log, seconds: try field("duration") / 1e6)
        // wrk's percentiles are of every answer; a failed request ranks above them all.
        let total = Double(answered + log.unanswered)
        let succeeded = Double(answered - refused)
        func percentile(_ percent: Double, _ name: String) throws -> Double {
            guard succeeded > 0, percent / 100 * total <= succeeded else { return .infinity }
            return try field(name) / 1000
        }
        return LoadRun(
            load: load,
            generator: "wrk",
            p50: try percentile(50, "p50"),
            p99: try percentile(99, "p99"),
            p999: try percentile(99.9, "p99.9"),
            generatorCPU: try field("cpu") * 1000 / max(1, total),
            exhausted: Int(try field("exhausted"))
        )
    }

    /// Writes the requests as `<base>.<thread>`: each a decimal length of 8 digits, then the raw
    /// request. Thread t takes requests t, t + threads, t + 2 × threads…
    private func write(base: String) throws {
        var files = (0..<Self.threads).map { _ in [UInt8]() }
        for n in 0..<(repeatsOne ? 1 : count) {
            let request = requests.request(n)
            var raw = "\(request.head.method.rawValue) \(request.head.uri) HTTP/1.1\r\n"
            for (name, value) in request.head.headers { raw += "\(name): \(value)\r\n" }
            raw += "\r\n"
            var bytes = Array(raw.utf8)
            bytes += request.body.readableBytesView
            let length = String(bytes.count)
            let thread = repeatsOne ? 0 : n % Self.threads
            files[thread] += Array((String(repeating: "0", count: max(0, 8 - length.count)) + length).utf8) + bytes
        }
        if repeatsOne {
            for thread in 1..<Self.threads { files[thread] = files[0] }
        }
        for (thread, bytes) in files.enumerated() {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(base).\(thread)"))
        }
    }

    /// Sends each thread's file in order (the last request again and again when `repeatsOne`
    /// wrote just one), collects the event id of every 2xx answer, and prints one summary line.
    static let script = #"""
        -- Written by hooksync-bench: pre-signed requests, each sent once.
        local threads = {}

        function setup(thread)
          thread:set("index", #threads)
          table.insert(threads, thread)
        end

        function init(args)
          local file = assert(io.open(os.getenv("HOOKSYNC_WRK_REQUESTS") .. "." .. index, "rb"))
          local data = file:read("*a")
          file:close()
          requests, position, exhausted, acknowledged = {}, 0, 0, {}
          local at = 1
          while at <= #data do
            local length = tonumber(data:sub(at, at + 7))
            requests[#requests + 1] = data:sub(at + 8, at + 7 + length)
            at = at + 8 + length
          end
          data = nil
          collectgarbage()
          -- A collection over hundreds of megabytes of requests stalls the thread and every
          -- connection on it for 100 ms and more, counted as the server's latency; what a
          -- run allocates besides (answers, acknowledged ids) fits in memory.
          collectgarbage("stop")
          -- The process's CPU so far (both threads load at once): reading the files, not the load.
          loaded = os.clock()
        end

        function request()
          position = position + 1
          if position > #requests then
            position = #requests
            if #requests > 1 then exhausted = exhausted + 1 end
          end
          return requests[position]
        end

        function response(status, headers, body)
          if status >= 200 and status < 300 then
            local key = body:match('"id":"evt_[%w]+_(%d+)"')
            if key then acknowledged[#acknowledged + 1] = key end
          end
        end

        function done(summary, latency, requests)
          local file = assert(io.open(os.getenv("HOOKSYNC_WRK_ACKNOWLEDGED"), "w"))
          local exhausted, loaded = 0, 0
          for _, thread in ipairs(threads) do
            loaded = math.max(loaded, thread:get("loaded"))
            for _, key in ipairs(thread:get("acknowledged")) do file:write(key, "\n") end
            exhausted = exhausted + thread:get("exhausted")
          end
          file:close()
          local errors = summary.errors
          io.write(string.format(
            "hooksync-bench requests=%d duration=%d connect=%d read=%d write=%d timeout=%d status=%d exhausted=%d cpu=%.6f p50=%d p99=%d p99.9=%d\n",
            summary.requests, summary.duration, errors.connect, errors.read, errors.write, errors.timeout, errors.status,
            exhausted, os.clock() - loaded, latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
        end
        """#
}
