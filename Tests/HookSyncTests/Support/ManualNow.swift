import Foundation
import Synchronization

/// A wall clock a test sets by hand, for the receiver's timestamp checks.
final class ManualNow: Sendable {
    private let value: Mutex<Date>

    init(_ date: Date) {
        value = Mutex(date)
    }

    var date: Date {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }

    var closure: @Sendable () -> Date { { self.date } }
}
