import Foundation
import Testing

@testable import DenseServer

/// The executable links FoundationEssentials only; what it wrote in place of Foundation's
/// string helpers gives what those helpers gave (checked here against Foundation itself).
@Suite struct FoundationReplacementTests {
    static let samples = [
        "", " ", "\t", "\n", " \n\t ", "token", " token ", "\ttoken\n", "token\n", "\r\ntoken\r\n", " a b ",
        "\u{00A0}x\u{00A0}", "\u{2003}x\u{2028}", "x\u{0085}", "\n\nx y\n\n", "é ", " 12 ", "12\n",
    ]

    @Test func trimmingMatchesFoundation() {
        for text in Self.samples {
            #expect(
                text.trimmingWhitespace(newlines: true) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
            #expect(text.trimmingWhitespace(newlines: false) == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    @Test func twoDecimalsMatchesStringFormat() {
        var values: [Double] = [0, 0.004, 0.005, 0.006, 0.994, 0.995, 0.999, 1, 1.005, 1.25, 2.5, 9.999, 10, 31.44, 255.995]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(Double(state >> 11) / Double(1 << 53) * 300)
        }
        for value in values {
            // Halfway cases can round differently (binary value vs printf's exact decimal), so
            // only values not within 1e-6 of a half-hundredth are compared.
            let scaled = value * 100
            guard abs(scaled - scaled.rounded(.down) - 0.5) > 1e-6 else { continue }
            #expect(twoDecimals(value) == String(format: "%.2f", value), "\(value)")
        }
    }
}
