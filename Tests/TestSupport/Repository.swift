import Foundation

/// Where the checkout is, for tests that read the repository's own files (fixtures, the
/// fuzz corpus, the README, the OpenAPI document) rather than copies of them.
public enum Repository {
    /// The repository's root folder (this file is `Tests/TestSupport/Repository.swift`).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The files of `Fuzz/corpus/<target>` (the seeds and the `regress-*` reproducers of bugs
    /// the fuzzers found) with their names, sorted by name, hidden files left out; empty when
    /// the folder is missing.
    public static func fuzzCorpus(_ target: String) -> [(name: String, bytes: [UInt8])] {
        let folder = root.appendingPathComponent("Fuzz/corpus/\(target)")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }
        return names.sorted().map { name in
            (name, Array(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data()))
        }
    }

    /// Hands each file of `fuzzCorpus(target)` to `check`; returns how many there were, for
    /// the caller to expect a minimum.
    public static func replayFuzzCorpus(_ target: String, _ check: ([UInt8]) -> Void) -> Int {
        let corpus = fuzzCorpus(target)
        for file in corpus { check(file.bytes) }
        return corpus.count
    }
}
