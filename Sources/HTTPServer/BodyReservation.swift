import Synchronization

/// Request-body bytes a connection still holds after the parser handed the request on — a
/// gzip body's compressed copy while it waits, and its inflated copy as it grows — counted
/// against the server-wide `maxBufferedRequestBytes` until the request's response is queued
/// (or its connection closes). Without it, a 64 KiB gzip body could pin 64 MiB that no budget saw.
final class BodyReservation: Sendable {
    private let core: ServerCore
    private struct State {
        var held = 0
        var released = false
    }
    private let state = Mutex(State())

    init(core: ServerCore) { self.core = core }

    /// Adds `bytes` to the reservation. Returns false, adding nothing, when the budget would be
    /// passed or the reservation was already released (the connection closed meanwhile).
    func reserve(_ bytes: Int) -> Bool {
        state.withLock { state in
            guard !state.released else { return false }
            let limit = core.configuration.maxBufferedRequestBytes
            let total = core.bufferedRequestBytes.add(bytes, ordering: .relaxed).newValue
            if limit > 0 && total > limit {
                core.bufferedRequestBytes.subtract(bytes, ordering: .relaxed)
                return false
            }
            state.held += bytes
            return true
        }
    }

    /// Returns everything reserved to the budget; later `reserve` calls fail. Idempotent.
    func release() {
        state.withLock { state in
            core.bufferedRequestBytes.subtract(state.held, ordering: .relaxed)
            state.held = 0
            state.released = true
        }
    }

    /// Bytes currently reserved (for tests).
    var heldBytes: Int { state.withLock { $0.held } }
}
