/// Why an inbox could not be opened; each case says what to do about it.
public enum InboxError: Error, Sendable, CustomStringConvertible {
    /// A reader (the CLI) found no inbox: it never creates one.
    case missing(InboxLocation)
    /// The backend refused to open or migrate, with its own words.
    case cannotOpen(InboxLocation, reason: String)

    public var description: String {
        switch self {
        case .missing(let location): "no inbox at \(location) yet: the agent creates it on its first start (hooksync run)"
        case .cannotOpen(let location, let reason): "cannot open the inbox at \(location): \(reason)"
        }
    }
}
