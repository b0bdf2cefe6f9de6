public import NIOCore
public import NIOHTTP1

/// Builds the `n`-th request of a load run; called on the generator's event loop.
public protocol RequestMaker: Sendable {
    func request(_ n: Int) -> LoadRequest
}

/// One request of a load run, and the number naming its event (for the inbox check after).
public struct LoadRequest {
    public var head: HTTPRequestHead
    public var body: ByteBuffer
    public var key: Int

    public init(head: HTTPRequestHead, body: ByteBuffer, key: Int) {
        self.head = head
        self.body = body
        self.key = key
    }
}
