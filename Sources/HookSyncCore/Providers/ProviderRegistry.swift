import Foundation

/// The providers an agent knows: the built-in definitions embedded in the binary, overridden
/// or extended by `*.toml` files in `providers_dir`.
public struct ProviderRegistry: Sendable {
    public private(set) var providers: [String: ProviderDefinition]

    public init(providers: [ProviderDefinition]) {
        self.providers = Dictionary(providers.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    public subscript(name: String) -> ProviderDefinition? {
        providers[name]
    }

    /// The built-in definitions only.
    public static func builtIn() throws(ConfigError) -> ProviderRegistry {
        var definitions: [ProviderDefinition] = []
        var issues: [ConfigIssue] = []
        for (file, text) in BuiltinProviders.files.sorted(by: { $0.key < $1.key }) {
            do {
                definitions.append(try ProviderDefinition.parse(text, file: "built-in providers/\(file)", origin: "built-in"))
            } catch {
                issues += error.issues
            }
        }
        guard issues.isEmpty else { throw ConfigError(issues: issues) }
        return ProviderRegistry(providers: definitions)
    }

    /// Built-in definitions plus every `*.toml` in `directory`, which win on a name clash.
    public static func load(directory: String?) throws(ConfigError) -> ProviderRegistry {
        var registry = try builtIn()
        guard let directory else { return registry }
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".toml") }.sorted()
        } catch {
            throw ConfigError(issues: [
                ConfigIssue(file: directory, key: "providers_dir", expected: "a readable directory of provider files")
            ])
        }
        var issues: [ConfigIssue] = []
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                issues.append(ConfigIssue(file: path, key: "(file)", expected: "a readable UTF-8 provider file"))
                continue
            }
            do {
                let definition = try ProviderDefinition.parse(text, file: path, origin: path)
                registry.providers[definition.name] = definition
            } catch {
                issues += error.issues
            }
        }
        guard issues.isEmpty else { throw ConfigError(issues: issues) }
        return registry
    }
}
