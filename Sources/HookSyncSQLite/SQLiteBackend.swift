public import HookSyncCore

/// Opens the SQLite inbox: the one way in from outside this module, so nothing else depends
/// on how SQLite stores the contract.
public enum SQLiteBackend {
    /// Opens the inbox file at `path` and migrates it to this binary's schema.
    ///
    /// The agent creates the file (`create: true`); the CLI only reads an inbox that exists, so
    /// a mistyped `data_dir` says so instead of leaving an empty database behind.
    public static func open(path: String, create: Bool) throws(InboxError) -> any Inbox {
        try SQLiteInbox(path: path, create: create)
    }
}
