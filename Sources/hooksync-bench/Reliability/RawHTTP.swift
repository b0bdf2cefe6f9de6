import HookSyncCore
import NIOCore
import NIOPosix

/// Bytes on a bare TCP connection, for requests no HTTP client would send: garbage, cut-off
/// and mangled requests, a byte a second, or nothing at all.
enum RawHTTP {
    /// What came back: the status of the first response line, or nil when the server closed
    /// (or the timeout passed) without one.
    struct Answer: Sendable {
        var status: Int?
        var bytes: Int
    }

    static func connect(port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true)
                    )
                }
            }
    }

    /// Sends `request` (then half-closes, when `finish` says so) and reads until the server
    /// closes or `timeout` passes.
    static func exchange(port: Int, request: [UInt8], finish: Bool = false, timeout: Duration = .seconds(3)) async throws -> Answer {
        let channel = try await connect(port: port)
        return try await withThrowingTaskGroup(of: Answer?.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(bytes: request))
                    if finish { outbound.finish() }
                    var received = ByteBuffer()
                    do {
                        // The status line and head are the answer; the body is not needed.
                        for try await var buffer in inbound {
                            received.writeBuffer(&buffer)
                            if received.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) != nil { break }
                        }
                    } catch {
                        // A reset after the answer still leaves the answer.
                    }
                    return Answer(status: status(of: received), bytes: received.readableBytes)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                channel.channel.close(promise: nil)
                return nil
            }
            var answer = Answer(status: nil, bytes: 0)
            if let first = try await group.next(), let first { answer = first }
            group.cancelAll()
            while let late = try? await group.next() { if let late { answer = late } }
            return answer
        }
    }

    static func status(of response: ByteBuffer) -> Int? {
        guard let line = response.getString(at: response.readerIndex, length: min(response.readableBytes, 12)),
            line.hasPrefix("HTTP/1.")
        else { return nil }
        return Int(line.dropFirst(9).prefix(3))
    }
}
