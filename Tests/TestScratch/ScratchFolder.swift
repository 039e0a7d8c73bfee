import Foundation

/// Scratch folders for tests, all inside one folder per test process that is removed when the
/// process exits: a full test run used to leave about 2,000 folders (over a gigabyte of corpora,
/// spools and dead letters) in the temporary folder, and CI machines fill up.
public enum ScratchFolder {
    /// A new, empty folder named `prefix-UUID`.
    public static func make(_ prefix: String) -> String {
        let path = root + "/\(prefix)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Created, and its removal at exit registered, on first use.
    private static let root: String = {
        let root = rootPath(of: getpid())
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: ScratchFolder.rootPath(of: getpid())) }
        return root
    }()

    static func rootPath(of process: Int32) -> String {
        NSTemporaryDirectory() + "tripline-tests-\(process)"
    }
}
