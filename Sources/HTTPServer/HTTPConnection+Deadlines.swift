import Glibc

/// Timeouts: which deadline applies in each state, and what happens when it passes.
extension HTTPConnection {
    /// Arms the deadline of `kind` for `time` (uptime nanoseconds); `.none` at 0 disarms it.
    func setDeadline(_ kind: DeadlineKind, at time: UInt64) {
        deadlineKind = kind
        deadline = time
    }

    /// Re-decides the deadline after anything that may change which one applies.
    func updateDeadline(_ now: UInt64) {
        switch phase {
        case .closed:
            setDeadline(.none, at: 0)
        case .lingering:
            break
        case .open, .closingAfterWrite:
            if let h2 {
                updateHTTP2Deadline(h2, now)
            } else if deadlineKind == .drain && pendingOutput == 0 && slots.isEmpty && !parser.hasPartialRequest {
                break  // still waiting for the client to take the last answer
            } else {
                setOpenDeadline(
                    unanswered: !slots.isEmpty, readingBody: parser.isReadingBody, readingHead: parser.hasPartialRequest)
            }
        }
    }

    /// The deadline of an open connection of either protocol: the write timeout while output
    /// waits; none while the handler holds requests (no timeout applies while it runs) or a
    /// final answer is queued; the body timeout mid-body, the header timeout mid-head; else the
    /// idle timeout, or before any answer the header timeout (a client that sends nothing).
    func setOpenDeadline(unanswered: Bool, readingBody: @autoclosure () -> Bool, readingHead: @autoclosure () -> Bool) {
        let c = core
        if pendingOutput > 0 {
            setDeadline(.write, at: lastWrite + c.writeTimeoutNs)
        } else if unanswered || phase == .closingAfterWrite {
            setDeadline(.none, at: 0)
        } else if readingBody() {
            setDeadline(.body, at: lastRead + c.bodyTimeoutNs)
        } else if readingHead() {
            setDeadline(.header, at: requestStart + c.headerTimeoutNs)
        } else if servedAny {
            setDeadline(.idle, at: lastActivity + c.idleTimeoutNs)
        } else {
            setDeadline(.fresh, at: lastActivity + c.headerTimeoutNs)
        }
    }

    /// Bytes the kernel still holds for the client: not yet sent, or sent and not acknowledged.
    var kernelQueuedBytes: Int {
        var queued: Int32 = 0
        return ioctl(fd, UInt(TIOCOUTQ), &queued) == 0 ? Int(queued) : 0
    }

    /// The write timeout means no progress at the client's side of the socket for
    /// `writeTimeout`: a `send` that blocks only says the buffers are full, not that the client
    /// stopped reading (a steady slow reader was cut off after 39 s with 119 of 300 answers).
    /// So when a write deadline passes, the acknowledged bytes decide: if they grew since the
    /// last check, the client is reading and the deadline moves on (checked every quarter of
    /// the timeout); if nothing is left, the wait is over; otherwise the connection closes once
    /// `writeTimeout` passed without progress. Returns whether the connection stays open.
    private func writeDeadlinePassed(now: UInt64) -> Bool {
        let queued = kernelQueuedBytes
        let acked = bytesSent - queued
        if acked > ackedAtCheck {
            ackedAtCheck = acked
            lastWrite = now
        }
        if pendingOutput == 0 && queued == 0 {
            setDeadline(.none, at: 0)
            lastActivity = now
            updateDeadline(now)
            return true
        }
        let timeout = core.writeTimeoutNs
        guard now &- lastWrite < timeout else { return false }
        deadline = min(lastWrite + timeout, now + max(timeout / 4, 1_000_000))
        return true
    }

    /// Called by the loop's sweep when `deadline` passed.
    func deadlinePassed(now: UInt64) {
        switch deadlineKind {
        case .none:
            deadline = 0
        case .write, .drain:
            if !writeDeadlinePassed(now: now) { finalClose() }
        case .idle where kernelQueuedBytes > 0:
            // Idle on our side, but the client has not taken the last answer yet: wait for it
            // as for a write, measuring from now.
            ackedAtCheck = bytesSent - kernelQueuedBytes
            lastWrite = now
            setDeadline(.drain, at: now + max(core.writeTimeoutNs / 4, 1_000_000))
        case .fresh, .idle, .linger:
            if let h2, phase == .open, deadlineKind != .linger {
                closeHTTP2(h2, message: "idle timeout")
            } else {
                finalClose()
            }
        case .age:
            if let h2 {
                h2.goAway(message: "max_age")
                setDeadline(.none, at: 0)
                pumpHTTP2(h2)
                advance(now: now)
            }
        case .header, .body:
            if let h2 {
                closeHTTP2(h2, message: "request timeout")
                return
            }
            guard phase == .open else { return }
            setDeadline(.none, at: 0)
            queueError(.requestTimeout, now: now)
            if phase != .closed { advance(now: now) }
        }
    }
}
