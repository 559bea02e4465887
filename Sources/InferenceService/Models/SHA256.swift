import CSHA256

/// SHA-256 (FIPS 180-4) over bytes fed in pieces.
///
/// Whole 64-byte blocks are compressed in C (`CSHA256`): on the x86 SHA extensions when CPUID
/// reports them (SHA-NI, about 2 GB/s), else portable C; both give the same digest, and the
/// tests check each against the FIPS and NIST vectors. Here: the partial block, the message
/// length in bytes (64 bits, so past 4 GiB too; the padding encodes it in bits, mod 2^64) and
/// the padding. No allocation per update.
struct SHA256 {
    /// How blocks are compressed: the fastest the CPU has, or one named (tests, benchmarks).
    enum Implementation: Sendable, CaseIterable {
        case portable, shaNI

        /// The fastest implementation this CPU runs.
        static var best: Implementation { ds_sha256_best_impl() == DS_SHA256_SHANI ? .shaNI : .portable }

        /// Whether this CPU runs it.
        var isAvailable: Bool { ds_sha256_impl_available(cValue) != 0 }

        var cValue: ds_sha256_impl { self == .shaNI ? DS_SHA256_SHANI : DS_SHA256_PORTABLE }
    }

    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    /// The bytes of an unfinished block (the first `pending` of 64).
    private var block = [UInt8](repeating: 0, count: 64)
    private var pending = 0
    /// Bytes hashed so far.
    private(set) var length: UInt64 = 0
    private let implementation: ds_sha256_impl

    /// - Parameter implementation: one this CPU lacks runs as ``Implementation/portable``.
    init(implementation: Implementation = .best) {
        self.implementation = implementation.cValue
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        length &+= UInt64(bytes.count)
        var index = 0
        if pending > 0 {
            let take = min(64 - pending, bytes.count)
            block.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: pending).copyMemory(from: base, byteCount: take) }
            pending += take
            index = take
            guard pending == 64 else { return }
            compress(block)
            pending = 0
        }
        let whole = (bytes.count - index) / 64
        if whole > 0 {
            compress(base.advanced(by: index).assumingMemoryBound(to: UInt8.self), blocks: whole)
            index += whole * 64
        }
        if index < bytes.count {
            block.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: base.advanced(by: index), byteCount: bytes.count - index) }
            pending = bytes.count - index
        }
    }

    /// The 32-byte digest. The hasher is spent afterwards.
    mutating func finish() -> [UInt8] {
        let bits = length &* 8
        // 0x80, zeros to 56 mod 64, then the length in bits, big-endian: one or two blocks.
        var tail = [UInt8](repeating: 0, count: pending < 56 ? 64 : 128)
        tail[0..<pending] = block[0..<pending]
        tail[pending] = 0x80
        for byte in 0..<8 { tail[tail.count - 1 - byte] = UInt8(truncatingIfNeeded: bits >> UInt64(8 * byte)) }
        compress(tail)
        return state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
    }

    private mutating func compress(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { compress($0.baseAddress!, blocks: $0.count / 64) }
    }

    private mutating func compress(_ data: UnsafePointer<UInt8>, blocks: Int) {
        let implementation = self.implementation
        state.withUnsafeMutableBufferPointer { ds_sha256_blocks(implementation, $0.baseAddress!, data, blocks) }
    }
}
