import CSHA256
import Foundation

/// SHA-256 block compression (the `weights_digest` of a stored model): 64 MiB through each
/// implementation this CPU runs (`CSHA256`: SHA-NI, portable C), beside Python's
/// `hashlib.sha256` (OpenSSL) over the same bytes, in the same run.
enum SHA256Bench {
    static func run() {
        let count = 64 << 20
        let data = (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        var results: [(String, Double)] = []
        var states: [[UInt32]] = []
        for impl in [DS_SHA256_SHANI, DS_SHA256_PORTABLE] where ds_sha256_impl_available(impl) != 0 {
            var state = [UInt32](repeating: 0, count: 8)
            let seconds = BenchTiming.bestSeconds {
                state = [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]
                data.withUnsafeBufferPointer { bytes in ds_sha256_blocks(impl, &state, bytes.baseAddress!, count / 64) }
            }
            states.append(state)
            results.append((String(cString: ds_sha256_impl_name(impl)), seconds))
        }
        precondition(Set(states).count == 1, "implementations disagree")
        let python = """
            import hashlib, time
            data = bytes(((i * 2654435761) >> 13) & 255 for i in range(1 << 16)) * 1024
            best = min((lambda t: (hashlib.sha256(data).digest(), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(5))
            print(best)
            """
        let pythonSeconds = Python.run(python).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        for (name, seconds) in results {
            var line = String(format: "sha256: %@: 64 MiB in %.1f ms, %.0f MB/s", name, seconds * 1e3, Double(count) / seconds / 1e6)
            if let pythonSeconds { line += String(format: " (%.2f× hashlib.sha256's rate)", pythonSeconds / seconds) }
            print(line)
        }
        if let pythonSeconds {
            print(
                String(
                    format: "sha256: hashlib.sha256 (OpenSSL): %.1f ms, %.0f MB/s", pythonSeconds * 1e3, Double(count) / pythonSeconds / 1e6
                ))
        }
    }
}
