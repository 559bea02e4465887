import Foundation
@_spi(Fuzzing) import GRPCCore
import Testing

/// Every seed and `regress-*` reproducer of the `grpc` fuzz target (Fuzz/corpus/grpc) runs
/// through the target's checks (a broken invariant traps, failing the run), and so does
/// every golden message, bare and framed.
@Suite struct FuzzCorpusTests {
    @Test func grpcCorpusReplays() {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("Fuzz/corpus/grpc")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }
        #expect(names.count >= 5)
        for name in names.sorted() {
            GRPCCoreFuzzing.run(Array(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data()))
        }
    }

    @Test func goldenMessagesPassTheFuzzChecks() {
        #expect(!Golden.entries.isEmpty)
        for entry in Golden.entries {
            let bytes = Golden.bytes(entry.file)
            GRPCCoreFuzzing.run(bytes)
            GRPCCoreFuzzing.run(GRPCMessageFrame.framed(bytes))
        }
    }
}
