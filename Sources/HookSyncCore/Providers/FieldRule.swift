/// How a provider file says to read one event field: one template, or a list of templates
/// tried in order until one renders.
///
/// Lists let one file describe deliveries that differ in shape: GitHub's type is
/// `["{header:X-GitHub-Event}.{/action}", "{header:X-GitHub-Event}"]` because `push` has no action.
public struct FieldRule: Sendable, Hashable, CustomStringConvertible {
    public let templates: [FieldTemplate]

    public init(_ templates: [FieldTemplate]) {
        self.templates = templates
    }

    /// Parses each text as a template; nil if any is malformed or there are none.
    public init?(_ texts: [String]) {
        let templates = texts.compactMap(FieldTemplate.init)
        guard !templates.isEmpty, templates.count == texts.count else { return nil }
        self.templates = templates
    }

    /// The body pointers of every template.
    public var pointers: [JSONPointer] { templates.flatMap(\.pointers) }

    public func render(_ document: EventDocument) -> String? {
        templates.lazy.compactMap { $0.render(document) }.first
    }

    public var description: String {
        templates.count == 1 ? templates[0].description : "[" + templates.map(\.description).joined(separator: ", ") + "]"
    }
}

extension TOMLReader {
    /// A field rule: a template string or a list of them.
    func fieldRule(_ name: String, required: Bool) -> FieldRule? {
        guard contains(name) else {
            if required { report(name, value: nil, expected: "a value (the key is required)") }
            return nil
        }
        guard let texts = strings(name) else { return nil }
        guard let rule = FieldRule(texts) else {
            report(name, value: texts.map { "\"\($0)\"" }.joined(separator: ", "), expected: FieldTemplate.expectation)
            return nil
        }
        return rule
    }
}
