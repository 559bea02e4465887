import DenseKernel

/// The SHA-256 of a model's weights, so a caller can tell which weights answer.
///
/// The digest covers every weight array in `model.get_weights()` order (a Dense layer's kernel
/// `[in, units]` row-major then its bias; a BatchNormalization's gamma, beta, moving mean and
/// variance), each as the little-endian bytes of its dtype, so Python gets the same hex with
/// `hashlib.sha256(b"".join(w.astype("<f4").tobytes() for w in model.get_weights()))`
/// (a `mixed_float16` layer's weights as served: rounded to float16, kept as float32).
///
/// Hashed by ``SHA256`` (C, SHA-NI where the CPU has it) rather than a dependency: swift-crypto
/// would add BoringSSL to every build, and OpenSSL is not linked.
enum WeightsDigest {
    /// `sha256:<64 hex digits>` of the model's weights.
    static func of(_ model: DenseModel) -> String {
        var hasher = SHA256()
        model.forEachWeightChunk { hasher.update($0) }
        return hex(hasher.finish())
    }

    /// `sha256:<hex>` of a finished digest.
    static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return "sha256:" + String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
