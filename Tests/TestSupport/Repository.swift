import Foundation

/// Where the checkout is, for tests that read the repository's own files (fixtures, the
/// fuzz corpus, the README, `openapi.yaml`) rather than copies of them.
public enum Repository {
    /// The repository's root folder (this file is `Tests/TestSupport/Repository.swift`).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Hands each file of `Fuzz/corpus/<target>` (the seeds and the `regress-*` reproducers of
    /// bugs the fuzzers found) to `check`, sorted by name, hidden files left out; returns how
    /// many there were (0 when the folder is missing), for the caller to expect a minimum.
    public static func replayFuzzCorpus(_ target: String, _ check: ([UInt8]) -> Void) -> Int {
        let folder = root.appendingPathComponent("Fuzz/corpus/\(target)")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }
        for name in names.sorted() {
            check(Array(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data()))
        }
        return names.count
    }
}
