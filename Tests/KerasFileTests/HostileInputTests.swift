@_spi(Fuzzing) import KerasFile
import TestSupport
import Testing

/// Hand-made hostile inputs: every truncation of a small file, seeded random mutations of
/// fixtures. Each must end in a value or a ``KerasFileError`` (typed throws guarantee the
/// type; these runs prove there is no trap, hang or runaway allocation).
@Suite struct HostileInputTests {
    @Test(arguments: ["mlp.weights.h5", "mlp.keras", "no_bias.h5"])
    func everyTruncation(_ name: String) {
        let bytes = Fixtures.bytes(name)
        #expect(bytes.count > 1000)
        var opened = 0
        for length in stride(from: 0, to: bytes.count, by: bytes.count > 20000 ? 7 : 1) {
            if (try? KerasModelFile(bytes[..<length])) != nil { opened += 1 }
            if length % 64 == 0 { KerasFileFuzzing.open(Array(bytes[..<length])) }
        }
        // A truncated HDF5 file fails on its end-of-file address; a zip without its tail has no EOCD.
        #expect(opened == 0)
    }

    @Test(arguments: ["mlp.keras", "deflated-mlp.keras", "mlp.h5", "keras2-mlp.h5", "mlp.weights.h5", "keras2-mlp.legacy-weights.h5"])
    func randomMutations(_ name: String) {
        let original = Fixtures.bytes(name)
        var random = SplitMix64(seed: 0x5EED)
        var statuses: [Int: Int] = [:]
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
                case 1: bytes[at] = [0x00, 0xFF, 0x7F, 0x80][Int.random(in: 0..<4, using: &random)]
                default: bytes[at] = UInt8.random(in: 0...255, using: &random)
                }
            }
            do {
                let file = try KerasModelFile(bytes, limits: KerasFileFuzzing.limits)
                _ = try readWeights(file)
                _ = try KerasFileFuzzing.readEverything(file)
                statuses[200, default: 0] += 1
            } catch {
                statuses[error.status, default: 0] += 1
            }
        }
        #expect(Set(statuses.keys).isSubset(of: [200, 400, 413, 422]))
    }
}
