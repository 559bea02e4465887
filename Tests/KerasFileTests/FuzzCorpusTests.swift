import Foundation
@_spi(Fuzzing) import KerasFile
import Testing

/// Every seed and `regress-*` reproducer of the `keras` fuzz target (Fuzz/corpus/keras) runs
/// through the target (a broken invariant traps, failing the run).
@Suite struct FuzzCorpusTests {
    @Test func kerasCorpusReplays() {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("Fuzz/corpus/keras")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }
        #expect(names.count >= 5)
        for name in names.sorted() {
            KerasFileFuzzing.open(Array(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data()))
        }
    }
}
