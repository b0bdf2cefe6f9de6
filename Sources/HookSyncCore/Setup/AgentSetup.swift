public import Foundation

/// A configuration checked against the providers and the secrets of this host: what
/// `hooksync check` validates and what the agent starts from.
public struct AgentSetup: Sendable {
    public var config: AgentConfig
    public var providers: ProviderRegistry
    public var sources: [String: ResolvedSource]
    /// Forward routes' signing secrets, by route name.
    public var forwardSecrets: [String: Secret] = [:]

    /// Reads the configuration file and checks it against the providers and this host: the
    /// problems of both in one run, so that fixing one never reveals the next.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        resolveSecrets: Bool = true
    ) throws(ConfigError) -> AgentSetup {
        let (config, issues) = try AgentConfig.read(path: path)
        let setup: AgentSetup
        do {
            setup = try prepare(config: config, environment: environment, resolveSecrets: resolveSecrets)
        } catch {
            throw ConfigError(issues: issues + error.issues)
        }
        guard issues.isEmpty else { throw ConfigError(issues: issues) }
        return setup
    }

    /// Loads providers and resolves every source; reports all problems together.
    /// - Parameter resolveSecrets: false for commands that only read the inbox.
    public static func prepare(
        config: AgentConfig,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        resolveSecrets: Bool = true
    ) throws(ConfigError) -> AgentSetup {
        let providers = try ProviderRegistry.load(directory: config.providersDirectory)
        var issues: [ConfigIssue] = []
        var sources: [String: ResolvedSource] = [:]
        /// Reads a secret and checks its shape; a failure becomes an issue naming `key`.
        func resolve(_ reference: SecretReference, key: String, validate: (Secret) throws -> Void) -> Secret? {
            do {
                let secret = try reference.resolve(environment: environment)
                try validate(secret)
                return secret
            } catch let error as SecretError {
                issues.append(ConfigIssue(file: config.file, key: key, value: "\"\(reference)\"", expected: "a readable secret (\(error.reason))"))
            } catch {
                issues.append(ConfigIssue(file: config.file, key: key, value: "\"\(reference)\"", expected: "\(error)"))
            }
            return nil
        }
        for (index, source) in config.sources.enumerated() {
            let key = "sources[\(index)]"
            guard let provider = providers[source.provider] else {
                issues.append(
                    ConfigIssue(
                        file: config.file,
                        key: "\(key).provider",
                        value: "\"\(source.provider)\"",
                        expected: "a known provider (\(providers.providers.keys.sorted().joined(separator: ", ")))"
                    )
                )
                continue
            }
            let scheme = provider.signatureScheme(tolerance: source.tolerance)
            if scheme.signsURL && source.mode.acceptsWebhooks && source.webhookURL == nil {
                issues.append(
                    ConfigIssue(
                        file: config.file,
                        key: "\(key).webhook_url",
                        expected: "the exact public URL \(provider.title) calls (its signature covers the URL)"
                    )
                )
            }
            if scheme.signsWebhookID && source.mode.acceptsWebhooks && source.webhookID == nil {
                issues.append(
                    ConfigIssue(
                        file: config.file,
                        key: "\(key).webhook_id",
                        expected: "the id \(provider.title) gave the webhook that delivers here (its signature covers it)"
                    )
                )
            }
            var secrets: [Secret] = []
            if source.mode.acceptsWebhooks {
                switch scheme.keyKind {
                case .secret:
                    if source.webhookSecrets.isEmpty {
                        issues.append(
                            ConfigIssue(file: config.file, key: "\(key).webhook_secret", expected: "the secret \(provider.title) signs with")
                        )
                    } else if !source.publicKeys.isEmpty {
                        issues.append(
                            ConfigIssue(
                                file: config.file,
                                key: "\(key).public_key",
                                expected: "none: \(provider.title) signs with a shared webhook_secret"
                            )
                        )
                    }
                    if resolveSecrets {
                        secrets = source.webhookSecrets.compactMap { reference in
                            resolve(reference, key: "\(key).webhook_secret") { try scheme.validate(secret: $0) }
                        }
                    }
                case .certificate:
                    // The provider points to its certificate in each request: nothing to configure.
                    break
                case .publicKey:
                    if source.publicKeys.isEmpty || !source.webhookSecrets.isEmpty {
                        issues.append(
                            ConfigIssue(
                                file: config.file,
                                key: "\(key).public_key",
                                expected:
                                    "\(provider.title)'s public key as it publishes it (\(provider.name) signs with a private key, so there is no webhook_secret)"
                            )
                        )
                    }
                    for (index, text) in source.publicKeys.enumerated() {
                        let keyName = "\(key).public_key" + (source.publicKeys.count > 1 ? "[\(index)]" : "")
                        if let reference = SecretReference(text) {
                            if resolveSecrets, let secret = resolve(reference, key: keyName, validate: { try scheme.validate(secret: $0) }) {
                                secrets.append(secret)
                            }
                        } else {
                            do {
                                try scheme.validate(secret: Secret(text))
                                secrets.append(Secret(text))
                            } catch {
                                issues.append(ConfigIssue(file: config.file, key: keyName, value: "\"\(text)\"", expected: error.reason))
                            }
                        }
                    }
                }
            }
            var verifyToken: Secret?
            if source.mode.acceptsWebhooks, let challenge = provider.challenge, challenge.verifyToken != nil {
                if let reference = source.verifyToken {
                    if resolveSecrets {
                        verifyToken = resolve(reference, key: "\(key).verify_token") { secret in
                            guard !secret.value.isEmpty else { throw SecretFormatError(reason: "the token is empty") }
                        }
                    }
                } else {
                    issues.append(
                        ConfigIssue(
                            file: config.file,
                            key: "\(key).verify_token",
                            expected:
                                "the token you enter in \(provider.title)'s webhook settings (its \(challenge.method.rawValue) handshake carries it)"
                        )
                    )
                }
            }
            var feed: (any EventFeed)?
            if source.mode != .webhook {
                func report(_ name: String, _ value: String?, _ expected: String) {
                    issues.append(ConfigIssue(file: config.file, key: "\(key).\(name)", value: value, expected: expected))
                }
                if let api = provider.api, api.generic?.usesOAuth == true {
                    // An OAuth API takes the app's client id and secret instead of a key.
                    if source.clientID == nil { report("client_id", nil, "the client id of the \(provider.title) app whose token polls its API") }
                    if let reference = source.clientSecret {
                        if resolveSecrets, source.clientID != nil,
                            let secret = resolve(reference, key: "\(key).client_secret", validate: { _ in })
                        {
                            do {
                                feed = try EventFeedFactory.make(
                                    source: source,
                                    provider: provider,
                                    api: api,
                                    apiKey: Secret(""),
                                    clientSecret: secret,
                                    routes: config.routes
                                )
                            } catch {
                                report(error.key, nil, error.expected)
                            }
                        }
                    } else {
                        report("client_secret", nil, "the client secret of the \(provider.title) app whose token polls its API")
                    }
                } else if let api = provider.api {
                    if let reference = source.apiKey {
                        if resolveSecrets {
                            do {
                                feed = try EventFeedFactory.make(
                                    source: source,
                                    provider: provider,
                                    api: api,
                                    apiKey: try reference.resolve(environment: environment),
                                    routes: config.routes
                                )
                            } catch let error as SecretError {
                                report("api_key", "\"\(reference)\"", "a readable secret (\(error.reason))")
                            } catch let problem as EventFeedFactory.Problem {
                                report(problem.key, nil, problem.expected)
                            } catch {
                                report("api_key", "\"\(reference)\"", "\(error)")
                            }
                        }
                    } else {
                        report("api_key", nil, "a value, because mode = \"\(source.mode.rawValue)\" polls \(provider.title)'s API")
                    }
                } else {
                    report("mode", "\"\(source.mode.rawValue)\"", "\"webhook\": provider \(provider.name) has no event API to poll")
                }
            }
            sources[source.name] = ResolvedSource(
                config: source,
                provider: provider,
                scheme: scheme,
                secrets: secrets,
                verifyToken: verifyToken,
                feed: feed,
                routes: config.routes
            )
        }
        var forwardSecrets: [String: Secret] = [:]
        for (index, route) in config.routes.enumerated() {
            guard case .forward(_, let reference) = route.action, resolveSecrets else { continue }
            forwardSecrets[route.name] = resolve(reference, key: "routes[\(index)].forward_secret") {
                try StandardWebhooksSignature().validate(secret: $0)
            }
        }
        for (index, route) in config.routes.enumerated() {
            guard resolveSecrets, case .exec(let command) = route.action else { continue }
            let program = command[0]
            let expected: String
            switch ExecutableLookup.find(program, path: environment["PATH"]) {
            case .found:
                continue
            case .missing:
                expected =
                    program.contains("/")
                    ? "an executable file (there is none at this path)"
                    : "a program on PATH (\(environment["PATH"] ?? ExecutableLookup.defaultPath)), or a path to one"
            case .notExecutable(let file):
                expected = "an executable file (\(file) may not be run: chmod +x it, or put its interpreter first)"
            }
            issues.append(ConfigIssue(file: config.file, key: "routes[\(index)].exec", value: "\"\(program)\"", expected: expected))
        }
        guard issues.isEmpty else { throw ConfigError(issues: issues) }
        return AgentSetup(config: config, providers: providers, sources: sources, forwardSecrets: forwardSecrets)
    }
}
