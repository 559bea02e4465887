import Testing

@testable import InferenceService

/// ``SHA256`` on every implementation this CPU runs (portable C always; SHA-NI where CPUID has
/// it), against the FIPS 180-4 examples and NIST's long messages, fed whole and in pieces.
@Suite struct SHA256Tests {
    static let implementations = SHA256.Implementation.allCases.filter(\.isAvailable)

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func sha(_ text: [UInt8], pieces: Int = 1, _ implementation: SHA256.Implementation = .best) -> String {
        var hasher = SHA256(implementation: implementation)
        let size = max(1, text.count / pieces)
        var start = 0
        while start < text.count {
            let end = min(text.count, start + size)
            text[start..<end].withUnsafeBytes { hasher.update($0) }
            start = end
        }
        return hex(hasher.finish())
    }

    @Test func theBestImplementationIsAvailable() {
        #expect(SHA256.Implementation.best.isAvailable)
        #expect(SHA256.Implementation.portable.isAvailable)
    }

    /// FIPS 180-4 examples: empty, one block, two blocks (the padding spills into a second),
    /// NIST's 896-bit message, a million "a" (15,625 blocks), and 1,000 bytes fed in pieces
    /// that straddle block boundaries.
    @Test(arguments: implementations) func matchesTheFIPSVectors(_ implementation: SHA256.Implementation) {
        #expect(Self.sha([], implementation) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.sha(Array("abc".utf8), implementation) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Self.sha(twoBlocks, implementation) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let long = Array(
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)
        #expect(Self.sha(long, implementation) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        for pieces in [1, 7, 999] {
            #expect(Self.sha(million, pieces: pieces, implementation) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        }
        let thousand = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for pieces in [1, 3, 7, 1000] {
            #expect(
                Self.sha(thousand, pieces: pieces, implementation) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        }
    }

    /// Every length from 0 to 300 bytes (each padding case, one to five blocks) and a few
    /// large ones, in uneven pieces: every implementation gives the portable one's digest.
    @Test func implementationsAgreeOnEveryLength() {
        let data = (0..<70_000).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }  // Knuth's multiplicative hash
        for length in Array(0...300) + [4095, 4096, 4097, 65_536, 69_999] {
            let message = Array(data[0..<length])
            let expected = Self.sha(message, .portable)
            for implementation in Self.implementations {
                #expect(Self.sha(message, implementation) == expected, "\(implementation), \(length) bytes")
                #expect(Self.sha(message, pieces: 3, implementation) == expected, "\(implementation), \(length) bytes in 3")
            }
        }
    }

    /// NIST's 1 GiB long message (2^33 bits: a bit count past 32 bits), fed as one 64 MiB
    /// buffer 16 times.
    @Test func theOneGibibyteVector() {
        var chunk = Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno".utf8)
        for _ in 0..<20 { chunk += chunk }  // 64 bytes · 2^20
        var hasher = SHA256()
        for _ in 0..<16 { chunk.withUnsafeBytes { hasher.update($0) } }
        #expect(hasher.length == 1 << 30)
        #expect(Self.hex(hasher.finish()) == "50e72a0e26442fe2552dc3938ac58658228c0cbfb1d2ca872ae435266fcd055e")
    }

    /// Past 4 GiB the byte count no longer fits 32 bits: 2^32 + 3 zero bytes give the digest
    /// `hashlib.sha256` (and coreutils' `sha256sum`) gives. The same 16 MiB buffer is fed 256
    /// times, then 3 bytes; on the fastest implementation only (portable C would take ~15 s).
    @Test func aMessagePastFourGibibytes() {
        let zeros = [UInt8](repeating: 0, count: 1 << 24)
        var hasher = SHA256()
        for _ in 0..<256 { zeros.withUnsafeBytes { hasher.update($0) } }
        zeros[0..<3].withUnsafeBytes { hasher.update($0) }
        #expect(hasher.length == (1 << 32) + 3)
        #expect(Self.hex(hasher.finish()) == "930fa067940ff8d9f427e3a116b7598503c70ce7380d66ff65f8de33d558f7f3")
    }
}
