@_spi(Fuzzing) import GRPCCore
import TestSupport
import Testing

/// Every seed and `regress-*` reproducer of the `grpc` fuzz target (Fuzz/corpus/grpc) runs
/// through the target's checks (a broken invariant traps, failing the run), and so does
/// every golden message, bare and framed.
@Suite struct FuzzCorpusTests {
    @Test func grpcCorpusReplays() {
        let count = Repository.replayFuzzCorpus("grpc") { GRPCCoreFuzzing.run($0) }
        #expect(count >= 5)
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
