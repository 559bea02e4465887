import Glibc
import HTTPCore

/// The read path: bytes from the socket, the choice between HTTP/1.1 and HTTP/2, the
/// parsing loop under flow control, and this connection's share of the request-byte budget.
extension HTTPConnection {
    func onReadable() {
        guard phase != .closed else { return }
        let buffer = loop.readBuffer
        var n: Int
        repeat {
            n = recv(fd, buffer.baseAddress, buffer.count, 0)
        } while n < 0 && errno == EINTR
        if n < 0 {
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK { return }
            finalClose()
            return
        }
        if phase == .lingering {
            lingerBytes += n
            if n == 0 || lingerBytes > (1 << 20) { finalClose() }
            return
        }
        let now = loop.now()
        if h2 != nil || !protocolChosen {
            if n == 0 {
                // An HTTP/2 client does not half-close: it has gone.
                readEOF = true
                abandoned.store(true, ordering: .relaxed)
                if h2 != nil || prefaceBytes.isEmpty {
                    finalClose()
                    return
                }
            } else {
                lastRead = now
                lastActivity = now
            }
            if let h2 {
                receiveHTTP2(h2, UnsafeRawBufferPointer(start: buffer.baseAddress, count: n), now: now)
                return
            }
            if !chooseProtocol(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n), now: now) { return }
        }
        if n == 0 {
            readEOF = true
            // A client that closes with answers outstanding has almost always gone (a load
            // generator stopping, a proxy giving up): work not started yet is skipped, as nginx
            // aborts such requests. The answers already computed are still written.
            if !slots.isEmpty { abandoned.store(true, ordering: .relaxed) }
            suspendReading()
            advance(now: now)
            return
        }
        lastRead = now
        lastActivity = now
        if !parser.hasPartialRequest { requestStart = now }
        parser.feed(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n))
        advance(now: now)
    }

    /// Tells HTTP/1.1 from HTTP/2 by the first bytes (the 24-byte preface). Returns true when
    /// the bytes just read are for the HTTP/1.1 parser; false when they were taken here (kept
    /// as a possible preface, or handed to a new HTTP/2 session).
    private func chooseProtocol(_ bytes: UnsafeRawBufferPointer, now: UInt64) -> Bool {
        guard core.configuration.http2.enabled else {
            protocolChosen = true
            return true
        }
        if prefaceBytes.isEmpty && bytes.first != HTTP2Session.preface[0] {
            protocolChosen = true  // the common case: no copy
            return true
        }
        prefaceBytes.append(contentsOf: bytes)
        let match = prefaceBytes.withUnsafeBytes { HTTP2Session.matchPreface($0) }
        switch match {
        case .partial where !readEOF:
            requestStart = now
            advance(now: now)
            return false
        case .http1, .partial:
            protocolChosen = true
            let held = prefaceBytes
            prefaceBytes = []
            if !parser.hasPartialRequest { requestStart = now }
            held.withUnsafeBytes { parser.feed($0) }
            if readEOF {
                suspendReading()
            }
            advance(now: now)
            return false
        case .http2:
            protocolChosen = true
            let held = prefaceBytes
            prefaceBytes = []
            guard let session = HTTP2Session(connection: self) else {
                finalClose()
                return false
            }
            h2 = session
            let age = core.configuration.http2.maxConnectionAge
            if age > 0 && age.isFinite {
                // ±10 % jitter, so connections opened together do not all go away together.
                ageDeadline = now + clampedNanoseconds(age * Double.random(in: 0.9...1.1))
            }
            held.withUnsafeBytes { receiveHTTP2(session, $0, now: now) }
            return false
        }
    }

    /// Sets this connection's share of the server-wide request bytes to `held`. Returns false
    /// (keeping the share) when growing to `held` would pass `maxBufferedRequestBytes`.
    @discardableResult
    func account(_ held: Int) -> Bool {
        let delta = held - accountedBytes
        guard delta != 0 else { return true }
        let total = core.bufferedRequestBytes.add(delta, ordering: .relaxed).newValue
        let limit = core.configuration.maxBufferedRequestBytes
        if delta > 0 && limit > 0 && total > limit {
            core.bufferedRequestBytes.subtract(delta, ordering: .relaxed)
            return false
        }
        accountedBytes = held
        return true
    }

    private func suspendReading() { applyInterest(read: false, write: wantWrite) }

    func resumeReading() { applyInterest(read: true, write: wantWrite) }

    private var canParse: Bool {
        slots.count < max(limits.maxPipelinedRequests, 1) && pendingOutput < max(limits.maxPendingOutputBytes, 1)
            && !(draining && !slots.isEmpty)
    }

    /// Parses and dispatches what flow control allows, then re-decides reading
    /// and deadlines. Re-entrant calls (a handler answering synchronously) return
    /// at once; the outer call picks up their effects.
    func advance(now: UInt64) {
        guard !processing, phase != .closed else { return }
        if let h2 {
            advanceHTTP2(h2, now: now)
            return
        }
        processing = true
        defer { processing = false }
        parsing: while phase == .open && !stopParsing && canParse {
            let event: HTTPParserEvent?
            do {
                event = try parser.next()
            } catch {
                queueError(.parse(error), now: now)
                break
            }
            guard let event else { break }
            switch event {
            case .expectContinue(let head):
                if contentEncoding(of: head.headers) == .unsupported {
                    queueError(.unsupportedContentEncoding, now: now)
                    break parsing
                }
                continuePending = true
                flush()
            case .request(let request):
                dispatch(request, now: now)
            }
        }
        guard phase != .closed else { return }
        if !account(stopParsing ? 0 : parser.heldByteCount) && !stopParsing {
            // Over the server-wide budget: this connection grew last, it gets the 503.
            queueError(.requestBytesBudgetExhausted, now: now)
            parser = HTTPRequestParser(limits: limits)
            account(0)
        }
        if parser.completedRequests != lastCompleted {
            lastCompleted = parser.completedRequests
            if parser.hasPartialRequest { requestStart = now }
        }
        if phase == .open && slots.isEmpty && pendingOutput == 0 {
            if readEOF {
                if parser.hasPartialRequest && !stopParsing {
                    queueError(.incompleteRequest, now: now)
                } else {
                    finalClose()
                    return
                }
            } else if draining && !parser.hasPartialRequest {
                finalClose()
                return
            }
        }
        guard phase != .closed else { return }
        if phase == .lingering || (phase == .open && !readEOF && !stopParsing && !parser.isClosed && canParse) {
            resumeReading()
        } else {
            suspendReading()
        }
        updateDeadline(now)
    }
}
