/// Prometheus text exposition read as an outside scraper reads it: `name{labels}` → value,
/// for the tests and the reliability scenarios that judge the agent by its `/metrics`.
public struct PrometheusSamples: Sendable {
    public private(set) var values: [String: Double] = [:]
    /// Lines that are neither a comment nor `name{labels} value`: a scraper would refuse them.
    public private(set) var malformed: [String] = []

    public init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]), parts[0].first?.isLetter == true else {
                malformed.append(String(line))
                continue
            }
            values[String(parts[0])] = value
        }
    }
}
