import Synchronization

/// A request body handed from the I/O queue to the one job that parses it, so the job can
/// take the only reference and release the bytes as soon as they are parsed (a closure that
/// captured the request would keep a 64 MB upload alive until the answer).
final class BodyHandoff: Sendable {
    private let body: Mutex<[UInt8]?>

    init(_ body: [UInt8]) { self.body = Mutex(body) }

    /// The body, once; later calls get an empty one.
    func take() -> [UInt8] { body.withLock { $0.take() } ?? [] }
}
