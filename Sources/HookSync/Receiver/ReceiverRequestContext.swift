public import Hummingbird
public import NIOCore

/// A request context that can stop reading its connection.
///
/// Once a handler has answered, Hummingbird reads whatever is left of the request body to its
/// end before the next request, however long the client keeps sending: a body past the drain
/// cap would keep the agent reading forever. With the channel at hand the receiver closes the
/// connection's input instead; the answer is still written.
public protocol ChannelRequestContext: RequestContext {
    var channel: any Channel { get }
}

/// The agent listener's context: Hummingbird's basic one, with the channel.
public struct ReceiverRequestContext: ChannelRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
