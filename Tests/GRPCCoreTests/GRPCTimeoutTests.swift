import GRPCCore
import Testing

/// `grpc-timeout`: 1–8 digits and one of H M S m u n, in nanoseconds, saturating.
@Suite struct GRPCTimeoutTests {
    @Test(arguments: [
        ("1S", UInt64(1_000_000_000)), ("1500m", 1_500_000_000), ("2u", 2000), ("99999999n", 99_999_999), ("5M", 300_000_000_000),
        ("1H", 3_600_000_000_000), ("0S", 0), ("00000001m", 1_000_000), ("99999999H", UInt64.max), ("9999999H", UInt64.max),
        ("99999999S", 99_999_999_000_000_000),
    ])
    func parses(_ text: String, _ nanoseconds: UInt64) {
        #expect(GRPCTimeout.parse(text) == nanoseconds)
        #expect(GRPCTimeout.parse("x\(text)".dropFirst()) == nanoseconds)
    }

    @Test(arguments: ["", "S", "1", "123456789S", "1s", "1x", " 1S", "1S ", "-1S", "+1S", "1.5S", "1SS", "١S", "1 S", "0x1S"])
    func rejects(_ text: String) {
        #expect(GRPCTimeout.parse(text) == nil)
    }
}
