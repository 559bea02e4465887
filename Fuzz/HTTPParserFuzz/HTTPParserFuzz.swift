// libFuzzer target over HTTPRequestParser, compiled into the same module as the
// HTTPCore sources (see Fuzz/run-http-fuzz.sh), so it needs no import.
//
// Differential property: the first input byte picks a split pattern; the rest is
// parsed whole and split, and both runs must give the same requests and the same
// error. Any crash, sanitizer report or mismatch (a trap) is a finding. Each
// request is also re-serialized as a response body to exercise the serializer.

private let fuzzLimits = HTTPLimits(
    maxRequestLineBytes: 256, maxHeaderBytes: 1024, maxHeaderCount: 16, maxBodyBytes: 4096,
    maxChunkedBodyBytes: 4096, maxChunkLineBytes: 64)

private func run(_ bytes: UnsafeBufferPointer<UInt8>, step: Int) -> ([HTTPRequest], HTTPParseError?) {
    var parser = HTTPRequestParser(limits: fuzzLimits)
    var requests: [HTTPRequest] = []
    var i = 0
    while i < bytes.count {
        let j = step == 0 ? bytes.count : min(bytes.count, i + step)
        parser.feed(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[i..<j])))
        i = j
        var guardCount = 0
        while guardCount < 100_000 {
            guardCount += 1
            do {
                guard let event = try parser.next() else { break }
                if case .request(let r) = event { requests.append(r) }
            } catch {
                return (requests, error)
            }
        }
    }
    return (requests, nil)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func httpParserFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let all = UnsafeBufferPointer(start: data, count: size)
    let step = Int(all[0] % 17)  // 0 = whole; 1…16 = fixed-size pieces
    let input = UnsafeBufferPointer(rebasing: all[1...])
    let whole = run(input, step: 0)
    let split = run(input, step: max(step, 1))
    if whole.0 != split.0 || whole.1 != split.1 {
        fatalError(
            "split-dependent parse: \(whole.0.count) vs \(split.0.count) requests, \(String(describing: whole.1)) vs \(String(describing: split.1))"
        )
    }
    for r in whole.0 {
        var headers = r.headers
        headers.add(name: "X-Path", value: r.path)
        _ = HTTPResponseSerializer.serialize(HTTPResponse(status: 200, headers: headers, body: r.body), omitBody: r.method == "HEAD")
        _ = r.query
    }
    if let e = whole.1 {
        precondition((400...505).contains(e.status) && !e.code.isEmpty)
    }
    return 0
}
