/// A configured source joined with its provider and its secrets, ready to verify requests.
public struct ResolvedSource: Sendable {
    public var config: SourceConfig
    public var provider: ProviderDefinition
    public var scheme: any SignatureScheme
    public var secrets: [Secret]

    public var name: String { config.name }
}
