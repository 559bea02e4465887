@_spi(Fuzzing) import HTTPServer
import TestSupport
import Testing

/// Every seed and crash reproducer of the `gzip` fuzz target (`Fuzz/corpus/gzip`) runs
/// through the target's checks (a broken invariant traps, failing the run).
@Suite struct GzipFuzzCorpusTests {
    @Test func gzipCorpusReplays() {
        let count = Repository.replayFuzzCorpus("gzip") { HTTPServerFuzzing.gzipInflate($0) }
        #expect(count >= 3)
    }
}
