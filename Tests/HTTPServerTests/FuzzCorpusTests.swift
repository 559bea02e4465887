import Foundation
@_spi(Fuzzing) import HTTPServer
import Testing

/// Every seed and crash reproducer of the `gzip` fuzz target (`Fuzz/corpus/gzip`) runs
/// through the target's checks (a broken invariant traps, failing the run).
@Suite struct GzipFuzzCorpusTests {
    @Test func gzipCorpusReplays() {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("Fuzz/corpus/gzip")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        #expect(names.count >= 3)
        for name in names.sorted() {
            HTTPServerFuzzing.gzipInflate(Array(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data()))
        }
    }
}
