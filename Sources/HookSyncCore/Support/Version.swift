public enum HookSyncVersion { public static let string = "0.1.0" }
