import Dispatch
import HTTPCore

/// The connection's side of an HTTP/2 session: it still reads, writes, times out and counts
/// bytes; the session (``HTTP2Session``) turns bytes into streams and answers into frames.
extension HTTPConnection {
    /// Appends frames the HTTP/2 session produced.
    func appendOutput(_ bytes: UnsafeRawBufferPointer) { out.append(contentsOf: bytes) }

    /// Counts `bytes` of a submitted HTTP/2 answer in the server-wide unsent response bytes
    /// (`admitsOutput` reads them) until ``releaseResponseBytes(_:)``.
    func holdResponseBytes(_ bytes: Int) { core.bufferedResponseBytes.add(bytes, ordering: .relaxed) }

    func releaseResponseBytes(_ bytes: Int) { core.bufferedResponseBytes.subtract(bytes, ordering: .relaxed) }

    /// Counts `bytes` of an HTTP/2 request body against `maxBufferedRequestBytes`; false
    /// (counting nothing) when that would pass it.
    func reserveRequestBytes(_ bytes: Int) -> Bool { account(accountedBytes + bytes) }

    /// Returns `bytes` counted by ``reserveRequestBytes(_:)``.
    func releaseRequestBytes(_ bytes: Int) { account(max(accountedBytes - bytes, 0)) }

    /// The handler's answer to HTTP/2 stream `id`. On `loop.queue`.
    func completeStream(_ id: Int32, _ response: HTTPResponse) {
        guard phase == .open, let h2 else { return }
        h2.complete(stream: id, response: response)
        servedAny = true
        let now = loop.now()
        lastActivity = now
        // Answered inside `mem_recv` (a handler that answers at once): the read path sends it.
        guard !h2.isReceiving else { return }
        pumpHTTP2(h2)
        advance(now: now)
    }

    func receiveHTTP2(_ session: HTTP2Session, _ bytes: UnsafeRawBufferPointer, now: UInt64) {
        if session.receive(bytes) == .closeAfterWrite && phase == .open { phase = .closingAfterWrite }
        guard phase != .closed else { return }
        pumpHTTP2(session)
        advance(now: now)
    }

    /// Moves frames from the session to the socket until the session has none left or the
    /// socket (and `maxPendingOutputBytes`) says wait.
    func pumpHTTP2(_ session: HTTP2Session) {
        while phase == .open || phase == .closingAfterWrite {
            let before = out.count
            if session.flush() == .closeAfterWrite && phase == .open { phase = .closingAfterWrite }
            let produced = out.count > before
            write()
            if !produced || pendingOutput > 0 { break }
        }
    }

    func advanceHTTP2(_ session: HTTP2Session, now: UInt64) {
        if phase == .open && session.isFinished && pendingOutput == 0 {
            // GOAWAY exchanged and every stream done: close as after a final HTTP/1.1 answer.
            phase = .closingAfterWrite
            write()
            return
        }
        let read =
            phase == .lingering
            || (phase == .open && !readEOF && session.wantsInput && pendingOutput < max(limits.maxPendingOutputBytes, 1))
        applyInterest(read: read, write: wantWrite)
        updateDeadline(now)
    }

    /// Shutdown (RFC 9113 §6.8): a GOAWAY with the largest stream id at once, so the client
    /// opens no new stream; about a round trip later the final GOAWAY naming the last stream
    /// received (streams in flight meanwhile are not lost); then those streams finish and the
    /// connection closes.
    func drainHTTP2(_ session: HTTP2Session) {
        session.announceShutdown()
        pumpHTTP2(session)
        advance(now: loop.now())
        loop.queue.asyncAfter(deadline: .now() + .milliseconds(100)) { [weak self] in
            guard let self, self.phase == .open, let session = self.h2 else { return }
            session.goAway(message: "shutting down")
            self.pumpHTTP2(session)
            self.advance(now: self.loop.now())
        }
    }

    /// A timeout: GOAWAY, then close once it is written (streams in flight are dropped).
    func closeHTTP2(_ session: HTTP2Session, message: String) {
        session.goAway(message: message)
        setDeadline(.none, at: 0)
        phase = .closingAfterWrite
        pumpHTTP2(session)
    }

    /// As for HTTP/1.1 (a stream partway through counts as reading a body), then the
    /// connection's age when that comes first.
    func updateHTTP2Deadline(_ session: HTTP2Session, _ now: UInt64) {
        setOpenDeadline(
            unanswered: session.unansweredCount > 0, readingBody: session.hasPartialRequest, readingHead: false)
        if ageDeadline != 0 && !session.goingAway && phase == .open && (deadline == 0 || ageDeadline < deadline) {
            setDeadline(.age, at: ageDeadline)
        }
    }
}
