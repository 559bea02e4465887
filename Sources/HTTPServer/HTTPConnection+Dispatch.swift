import HTTPCore

/// Handing a parsed request to the handler: its pipelining slot, its responder, and a gzip
/// body's inflation under the request-byte budget.
extension HTTPConnection {
    enum ContentEncoding { case identity, gzip, unsupported }

    func contentEncoding(of headers: HTTPHeaders) -> ContentEncoding {
        var result = ContentEncoding.identity
        for field in headers where field.name.utf8.count == 16 && equalsIgnoringASCIICase(field.name, "content-encoding") {
            for coding in field.value.split(separator: ",") {
                let c = coding.trimmingSpaces().lowercased()
                switch c {
                case "", "identity": continue
                case "gzip", "x-gzip":
                    if result == .gzip { return .unsupported }  // gzip applied twice
                    result = .gzip
                default: return .unsupported
                }
            }
        }
        return result
    }

    func dispatch(_ parsed: HTTPRequest, now: UInt64) {
        var request = parsed
        request.remoteIsLoopback = remoteIsLoopback
        continuePending = false
        let sequence = nextSequence
        nextSequence += 1
        let consumed = parser.consumedBytes
        let bytesIn = consumed - consumedAtLastRequest
        consumedAtLastRequest = consumed
        let logged =
            core.accessLog == nil
            ? nil
            : LoggedRequest(
                method: request.method, path: request.path, requestID: request.headers["x-request-id"], bytesIn: bytesIn,
                started: now)
        slots.append(Slot(response: nil, isHead: request.method == "HEAD", keepAlive: request.keepAlive, logged: logged))
        let responder = HTTPResponder(
            connection: self, sequence: sequence,
            acceptsGzip: core.gzipEnabled && ServerCore.acceptsGzip(request.headers))
        // The body leaves the parser here, and with it the parser's share of the budget:
        // give that back first, so the reservation below never counts the same bytes twice.
        account(parser.heldByteCount)
        let slot = slots.count - 1
        if let error = handOff(request, responder, holding: { slots[slot].reservation = $0 }) {
            complete(sequence, core.response(for: error))
        }
    }

    /// Hands a complete request (of either protocol) to the handler, inflating a gzip body.
    /// `holding` receives the reservation that keeps a large body counted until its answer is
    /// queued, before the handler runs (it may answer at once). Returns the error to answer
    /// instead when the request cannot be handed on.
    func handOff(_ request: HTTPRequest, _ responder: HTTPResponder, holding: (BodyReservation) -> Void) -> HTTPServerError? {
        switch contentEncoding(of: request.headers) {
        case .identity:
            // A large body stays counted until its answer is queued: otherwise one connection
            // could hand `maxPipelinedRequests` bodies of `maxBodyBytes` to handlers unseen.
            if request.body.count >= 64 << 10 {
                let reservation = BodyReservation(core: core)
                holding(reservation)
                guard reservation.reserve(request.body.count) else { return .requestBytesBudgetExhausted }
            }
            core.handler(request, responder)
        case .unsupported:
            return .unsupportedContentEncoding
        case .gzip:
            // The reservation keeps the compressed body, then the inflated bytes, within the
            // server-wide request-byte budget.
            let reservation = BodyReservation(core: core)
            holding(reservation)
            guard reservation.reserve(request.body.count) else { return .requestBytesBudgetExhausted }
            if request.body.count <= 16 * 1024 {
                core.inflateAndHandle(request, responder, reservation: reservation)
            } else {
                // Large bodies inflate off the I/O queue; the handler then runs there too.
                let core = self.core
                let compressed = request
                core.inflationQueue().async { core.inflateAndHandle(compressed, responder, reservation: reservation) }
            }
        }
        return nil
    }
}
