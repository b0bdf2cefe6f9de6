public import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`) with `*`,
/// lists, ranges and steps, as in Vixie cron: `*/5 * * * *`, `0 9-17 * * 1-5`, `15,45 */2 * * *`.
///
/// When both day fields are restricted a day matches if either does, as cron has always done.
/// Sunday is 0 or 7.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    let minutes: Set<Int>
    let hours: Set<Int>
    let days: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool
    public let description: String

    static let expectation = "five cron fields such as \"*/5 * * * *\" (minute hour day month weekday)"

    public init?(_ text: String) {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 5,
            let minutes = Self.field(fields[0], 0...59),
            let hours = Self.field(fields[1], 0...23),
            let days = Self.field(fields[2], 1...31),
            let months = Self.field(fields[3], 1...12),
            var weekdays = Self.field(fields[4], 0...7)
        else { return nil }
        if weekdays.remove(7) != nil { weekdays.insert(0) }
        self.minutes = minutes
        self.hours = hours
        self.days = days
        self.months = months
        self.weekdays = weekdays
        self.daysRestricted = !fields[2].hasPrefix("*")
        self.weekdaysRestricted = !fields[4].hasPrefix("*")
        self.description = fields.joined(separator: " ")
    }

    /// Parses one field: `*`, `a`, `a-b`, any of them with `/step`, comma-separated.
    private static func field(_ text: Substring, _ range: ClosedRange<Int>) -> Set<Int>? {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { return nil }
                step = parsed
            }
            var low = range.lowerBound
            var high = range.upperBound
            if pieces[0] != "*" {
                let bounds = pieces[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
                guard let first = Int(bounds[0]) else { return nil }
                low = first
                high = pieces.count == 2 && bounds.count == 1 ? range.upperBound : first
                if bounds.count == 2 {
                    guard let last = Int(bounds[1]) else { return nil }
                    high = last
                }
            }
            guard range.contains(low), range.contains(high), low <= high else { return nil }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values.isEmpty ? nil : values
    }

    func matchesDay(day: Int, weekday: Int) -> Bool {
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): days.contains(day) || weekdays.contains(weekday)
        case (true, false): days.contains(day)
        case (false, true): weekdays.contains(weekday)
        case (false, false): true
        }
    }

    /// The first matching minute strictly after `date`, in `calendar`'s time zone; nil only
    /// for expressions that never match (`0 0 31 2 *`) within eight years.
    public func next(after date: Date, calendar: Calendar) -> Date? {
        let start = calendar.dateInterval(of: .minute, for: date)?.end ?? date.addingTimeInterval(60)
        var components = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: start)
        guard var year = components.year, var month = components.month, var day = components.day,
            var hour = components.hour, var minute = components.minute
        else { return nil }
        let lastYear = year + 8
        while year <= lastYear {
            guard months.contains(month) else {
                (year, month, day, hour, minute) = month == 12 ? (year + 1, 1, 1, 0, 0) : (year, month + 1, 1, 0, 0)
                continue
            }
            let daysInMonth = calendar.range(of: .day, in: .month, for: Self.date(year, month, 1, 0, 0, calendar) ?? start)?.count ?? 31
            guard day <= daysInMonth else {
                (year, month, day, hour, minute) = month == 12 ? (year + 1, 1, 1, 0, 0) : (year, month + 1, 1, 0, 0)
                continue
            }
            let weekday = (calendar.component(.weekday, from: Self.date(year, month, day, 12, 0, calendar) ?? start) + 6) % 7
            guard matchesDay(day: day, weekday: weekday) else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            guard let nextHour = hours.filter({ $0 >= hour }).min() else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            if nextHour > hour { (hour, minute) = (nextHour, 0) }
            guard let nextMinute = minutes.filter({ $0 >= minute }).min() else {
                (hour, minute) = (hour + 1, 0)
                if hour > 23 { (day, hour) = (day + 1, 0) }
                continue
            }
            components = DateComponents(year: year, month: month, day: day, hour: hour, minute: nextMinute)
            // A minute skipped by a daylight-saving jump does not exist: look further.
            if let found = calendar.date(from: components), calendar.component(.hour, from: found) == hour {
                return found
            }
            (hour, minute) = (hour + 1, 0)
            if hour > 23 { (day, hour) = (day + 1, 0) }
        }
        return nil
    }

    private static func date(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ calendar: Calendar) -> Date? {
        calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))
    }
}
