import Glibc
import HTTPCore

/// The write path: answers in request order, serialized into the output buffer, sent without
/// blocking, and counted against the response-byte budget; then lingering after a final answer.
extension HTTPConnection {
    /// Stores a response and writes every response that is next in order. On `loop.queue`.
    func complete(_ sequence: Int, _ response: HTTPResponse) {
        guard phase == .open else { return }
        let index = sequence - slotBase
        guard index >= 0, index < slots.count, slots[index].response == nil else { return }
        slots[index].response = response
        let now = loop.now()
        lastActivity = now
        flush()
        advance(now: now)
    }

    func queueError(_ error: HTTPServerError, now: UInt64) {
        stopParsing = true
        continuePending = false
        nextSequence += 1
        let logged =
            core.accessLog == nil
            ? nil
            : LoggedRequest(method: "", path: "", requestID: nil, bytesIn: parser.consumedBytes - consumedAtLastRequest, started: now)
        slots.append(Slot(response: core.response(for: error), isHead: false, keepAlive: false, logged: logged))
        flush()
    }

    /// Serializes the responses that are next in order, then writes.
    func flush() {
        if outStart > 0 && outStart * 2 >= out.count {
            out.removeSubrange(0..<outStart)
            outStart = 0
        }
        while phase == .open, let first = slots.first, var response = first.response {
            slots.removeFirst()
            first.reservation?.release()
            slotBase += 1
            if !first.isHead && !admitsOutput(response.body.count) {
                response = core.response(for: .responseBytesBudgetExhausted)
            }
            let close = serialize(response, slot: first)
            if close {
                phase = .closingAfterWrite
                stopParsing = true
                slotBase += slots.count
                releaseSlots()
                break
            }
        }
        if phase == .open && continuePending && slots.isEmpty {
            out.append(contentsOf: ServerCore.continueBytes)
            continuePending = false
        }
        write()
    }

    /// Drops every unanswered slot, returning the body bytes they held to the budget.
    func releaseSlots() {
        for slot in slots { slot.reservation?.release() }
        slots.removeAll()
    }

    /// Appends one response; returns whether the connection closes after it.
    private func serialize(_ response: HTTPResponse, slot: Slot) -> Bool {
        var hasDate = false
        var hasServer = false
        var handlerClose = false
        var responseRequestID: String?
        for field in response.headers {
            switch field.name.utf8.count {
            case 4 where equalsIgnoringASCIICase(field.name, "date"): hasDate = true
            case 6 where equalsIgnoringASCIICase(field.name, "server"): hasServer = true
            case 10 where equalsIgnoringASCIICase(field.name, "connection"):
                if field.value.lowercased().contains("close") { handlerClose = true }
            case 12 where core.accessLog != nil && equalsIgnoringASCIICase(field.name, "x-request-id"): responseRequestID = field.value
            default: break
            }
        }
        let close = !slot.keepAlive || draining || handlerClose
        let before = out.count
        let serverLine = core.serverLine
        HTTPResponseSerializer.serialize(response, omitBody: slot.isHead, into: &out) { o in
            o.append(contentsOf: close ? ServerCore.connectionClose : ServerCore.connectionKeepAlive)
            if !hasDate {
                o.append(contentsOf: ServerCore.datePrefix)
                o.append(contentsOf: loop.dateCache.current())
                o.append(13)
                o.append(10)
            }
            if !hasServer { o.append(contentsOf: serverLine) }
        }
        servedAny = true
        if let log = core.accessLog, let logged = slot.logged {
            let duration = Double(loop.now() &- logged.started) / 1e9
            log(
                HTTPAccessLogEntry(
                    method: logged.method, path: logged.path, status: response.status, bytesIn: logged.bytesIn,
                    bytesOut: out.count - before, durationSeconds: duration, requestID: logged.requestID,
                    responseRequestID: responseRequestID, remoteIsLoopback: remoteIsLoopback))
        }
        return close
    }

    /// Output bytes queued and not yet taken by the socket.
    var pendingOutput: Int { out.count - outStart }

    /// Whether a response body of `bytes` may be queued: under 64 KiB always (errors, 503s,
    /// small answers), larger ones while the server-wide unsent bytes stay within
    /// `maxBufferedResponseBytes`.
    func admitsOutput(_ bytes: Int) -> Bool {
        let limit = core.configuration.maxBufferedResponseBytes
        guard limit > 0, bytes >= 64 << 10 else { return true }
        return core.bufferedResponseBytes.load(ordering: .relaxed) + bytes <= limit
    }

    /// Sets this connection's share of the server-wide unsent response bytes to what it holds.
    func accountOutput() {
        let held = out.count - outStart
        guard held != accountedOutput else { return }
        core.bufferedResponseBytes.add(held - accountedOutput, ordering: .relaxed)
        accountedOutput = held
    }

    func write() {
        defer { accountOutput() }
        var progressed = false
        while outStart < out.count {
            let n = out.withUnsafeBytes { p in
                send(fd, p.baseAddress! + outStart, p.count - outStart, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                outStart += n
                bytesSent += n
                progressed = true
                continue
            }
            let e = errno
            if n < 0 && e == EINTR { continue }
            if n < 0 && (e == EAGAIN || e == EWOULDBLOCK) {
                if progressed || deadlineKind != .write {
                    lastWrite = loop.now()
                    // The baseline the write deadline measures the client's reading against.
                    ackedAtCheck = bytesSent - kernelQueuedBytes
                }
                enableWriteSource()
                return
            }
            finalClose()  // EPIPE, ECONNRESET, …
            return
        }
        if out.capacity > 64 * 1024 { out = [] } else { out.removeAll(keepingCapacity: true) }
        outStart = 0
        disableWriteSource()
        if phase == .closingAfterWrite { beginLinger() }
    }

    private func enableWriteSource() { applyInterest(read: wantRead, write: true) }

    private func disableWriteSource() { applyInterest(read: wantRead, write: false) }

    func onWritable() {
        guard phase == .open || phase == .closingAfterWrite else { return }
        write()
        if let h2, phase != .closed { pumpHTTP2(h2) }
        advance(now: loop.now())
    }

    private func beginLinger() {
        phase = .lingering
        shutdown(fd, Int32(SHUT_WR))
        if readEOF {
            finalClose()
            return
        }
        setDeadline(.linger, at: loop.now() + clampedNanoseconds(core.configuration.lingerTimeout))
        parser = HTTPRequestParser(limits: limits)
        resumeReading()
    }
}
