import DenseKernel

/// The SHA-256 of a model's weights, so a caller can tell which weights answer.
///
/// The digest covers every weight array in `model.get_weights()` order (a Dense layer's kernel
/// `[in, units]` row-major then its bias; a BatchNormalization's gamma, beta, moving mean and
/// variance), each as the little-endian bytes of its dtype, so Python gets the same hex with
/// `hashlib.sha256(b"".join(w.astype("<f4").tobytes() for w in model.get_weights()))`
/// (a `mixed_float16` layer's weights as served: rounded to float16, kept as float32).
///
/// Hand-written (FIPS 180-4, §6.2) rather than a dependency: swift-crypto would add BoringSSL
/// to every build for these 60 lines; the tests check it against the FIPS example vectors.
enum WeightsDigest {
    /// `sha256:<64 hex digits>` of the model's weights.
    static func of(_ model: DenseModel) -> String {
        var hasher = SHA256()
        for layer in model.layers {
            switch layer {
            case .dense(let dense):
                hasher.update(dense.kernel)
                if let bias = dense.bias { hasher.update(bias) }
            case .normalization(let normalization):
                for weight in normalization.weights { hasher.update(weight) }
            case .elementwise, .reshape:
                break
            }
        }
        return hex(hasher.finish())
    }

    /// `sha256:<hex>` of a finished digest.
    static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return "sha256:" + String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}

/// SHA-256 over bytes fed in pieces.
struct SHA256 {
    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    private var block: [UInt8] = []
    private var length: UInt64 = 0

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    mutating func update(_ storage: TensorStorage) {
        switch storage {
        case .float32(let values): values.withUnsafeBytes { update($0) }  // little-endian on every target we build
        case .float64(let values): values.withUnsafeBytes { update($0) }
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var index = 0
        if !block.isEmpty {
            let take = min(64 - block.count, bytes.count)
            block += bytes[0..<take]
            index = take
            if block.count == 64 {
                block.withUnsafeBytes { compress($0.baseAddress!) }
                block.removeAll(keepingCapacity: true)
            }
        }
        while bytes.count - index >= 64 {
            compress(bytes.baseAddress! + index)
            index += 64
        }
        if index < bytes.count { block += bytes[index...] }
    }

    mutating func finish() -> [UInt8] {
        let bits = length &* 8
        var tail = block + [0x80]
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        tail.withUnsafeBytes { raw in
            for offset in stride(from: 0, to: raw.count, by: 64) { compress(raw.baseAddress! + offset) }
        }
        return state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
    }

    // No allocation per block (a fresh 64-word array per 64 bytes once took a third of a
    // 64 MB model's PUT).
    private mutating func compress(_ chunk: UnsafeRawPointer) {
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
        var (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0..<16 { w[t] = UInt32(bigEndian: chunk.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self)) }
            for t in 16..<64 {
                let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            Self.k.withUnsafeBufferPointer { k in
                for t in 0..<64 {
                    let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[t] &+ w[t]
                    let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                    (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
                }
            }
        }
        state[0] &+= a
        state[1] &+= b
        state[2] &+= c
        state[3] &+= d
        state[4] &+= e
        state[5] &+= f
        state[6] &+= g
        state[7] &+= h
    }
}
