/// A polled event whose webhook did not come within `grace` of its occurrence: what the
/// missed-webhook count, the warning in the log and the source's health are made of.
public struct MissedWebhook: Sendable, Equatable {
    public var eventID: String
    public var type: String

    public init(eventID: String, type: String) {
        self.eventID = eventID
        self.type = type
    }
}
