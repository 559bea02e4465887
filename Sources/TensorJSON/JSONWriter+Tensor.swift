/// A binary floating-point type `JSONWriter` formats with shortest round-trip text.
protocol ShortestFormattable {
    /// The value's shortest decimal digits and exponent (see `shortestDigits`).
    static func digits(of v: Self) -> (digits: UInt64, exponent: Int)
    /// Writes `v`'s text from its `digits(of:)` at `p`; returns the byte count.
    static func shortestText(_ v: Self, digits: UInt64, exponent: Int, to p: UnsafeMutablePointer<UInt8>) -> Int
}

extension Float: ShortestFormattable {
    @inline(__always)
    static func digits(of v: Float) -> (digits: UInt64, exponent: Int) { shortestDigits(v) }

    @inline(__always)
    static func shortestText(_ v: Float, digits: UInt64, exponent: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        formatShortest(v, digits: digits, exponent: exponent, to: p)
    }
}

extension Double: ShortestFormattable {
    @inline(__always)
    static func digits(of v: Double) -> (digits: UInt64, exponent: Int) { shortestDigits(v) }

    @inline(__always)
    static func shortestText(_ v: Double, digits: UInt64, exponent: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        formatShortest(v, digits: digits, exponent: exponent, to: p)
    }
}

/// How many numbers the tensor writers format per step.
private let numbersPerGroup = 4

/// A scratch byte block the bulk writers fill before appending it in one copy.
private struct Chunk {
    static let capacity = 1 << 16
    let base = UnsafeMutablePointer<UInt8>.allocate(capacity: Chunk.capacity)
    /// Fill up to here before flushing: leaves room for a group of numbers and brackets.
    var limit: UnsafeMutablePointer<UInt8> { base + (Chunk.capacity - 64 - numbersPerGroup * (maxNumberTextBytes + 1)) }

    func flush(upTo q: UnsafeMutablePointer<UInt8>, into bytes: inout [UInt8]) -> UnsafeMutablePointer<UInt8> {
        bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: q - base))
        return base
    }

    func put(_ c: UInt8, repeating n: Int, at q: UnsafeMutablePointer<UInt8>, into bytes: inout [UInt8])
        -> UnsafeMutablePointer<UInt8>
    {
        var q = q
        for _ in 0..<n {
            if q >= limit { q = flush(upTo: q, into: &bytes) }
            q.pointee = c
            q += 1
        }
        return q
    }
}

extension JSONWriter {
    /// Writes `data` as one flat JSON array of numbers, `[x0,x1,...]`, each with
    /// its shortest round-trip text.
    public mutating func writeFlat(_ data: UnsafeBufferPointer<Float>) {
        writeTensor(data, shape: [data.count])
    }

    /// Writes `data` as one flat JSON array of numbers, `[x0,x1,...]`, each with
    /// its shortest round-trip text.
    public mutating func writeFlat(_ data: UnsafeBufferPointer<Double>) {
        writeTensor(data, shape: [data.count])
    }

    /// Writes row-major `data` as nested JSON arrays of the given shape, e.g.
    /// shape `[2, 3]` → `[[a,b,c],[d,e,f]]`, each number with its shortest
    /// round-trip text.
    ///
    /// - Precondition: `shape.count >= 1`, every dimension `>= 0`, and the product
    ///   of `shape` equals `data.count`. A zero-size shape writes its empty
    ///   brackets in full (`[2, 0]` → `[[],[]]`), so the caller bounds the
    ///   product of the leading dimensions.
    public mutating func writeNested(_ data: UnsafeBufferPointer<Float>, shape: [Int]) {
        writeTensor(data, shape: shape)
    }

    /// Writes row-major `data` as nested JSON arrays of the given shape; see the
    /// `Float` overload for the layout and preconditions.
    public mutating func writeNested(_ data: UnsafeBufferPointer<Double>, shape: [Int]) {
        writeTensor(data, shape: shape)
    }

    @inline(__always)
    mutating func writeTensor<T: ShortestFormattable>(_ data: UnsafeBufferPointer<T>, shape: [Int]) {
        precondition(!shape.isEmpty, "writeNested needs rank >= 1")
        var product = 1
        for d in shape {
            precondition(d >= 0, "negative dimension in shape \(shape)")
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            precondition(!overflow, "shape \(shape) overflows Int")
            product = p
        }
        precondition(product == data.count, "shape \(shape) holds \(product) elements but data has \(data.count)")
        separate()
        if product == 0 {
            appendEmptyNested(shape[...])
            return
        }
        let rank = shape.count
        let last = shape[rank - 1]
        let rows = product / last
        let chunk = Chunk()
        defer { chunk.base.deallocate() }
        let limit = chunk.limit
        var q = chunk.put(UInt8(ascii: "["), repeating: rank - 1, at: chunk.base, into: &bytes)
        var index = [Int](repeating: 0, count: rank)
        var src = data.baseAddress!
        for r in 0..<rows {
            if r > 0 {
                var closed = 0
                var d = rank - 2
                while d >= 0 {
                    index[d] += 1
                    if index[d] < shape[d] { break }
                    index[d] = 0
                    closed += 1
                    d -= 1
                }
                q = chunk.put(UInt8(ascii: "]"), repeating: closed, at: q, into: &bytes)
                q = chunk.put(UInt8(ascii: ","), repeating: 1, at: q, into: &bytes)
                q = chunk.put(UInt8(ascii: "["), repeating: closed, at: q, into: &bytes)
            }
            if q >= limit { q = chunk.flush(upTo: q, into: &bytes) }
            q.pointee = UInt8(ascii: "[")
            q += 1
            // Four at a time: the four digit searches are independent, so they overlap;
            // only the layout waits for the previous number's end.
            var j = 0
            while j &+ numbersPerGroup <= last {
                if q >= limit { q = chunk.flush(upTo: q, into: &bytes) }
                let (v0, v1, v2, v3) = (src[j], src[j &+ 1], src[j &+ 2], src[j &+ 3])
                let (d0, d1, d2, d3) = (T.digits(of: v0), T.digits(of: v1), T.digits(of: v2), T.digits(of: v3))
                q += T.shortestText(v0, digits: d0.digits, exponent: d0.exponent, to: q)
                q.pointee = UInt8(ascii: ",")
                q += 1 &+ T.shortestText(v1, digits: d1.digits, exponent: d1.exponent, to: q + 1)
                q.pointee = UInt8(ascii: ",")
                q += 1 &+ T.shortestText(v2, digits: d2.digits, exponent: d2.exponent, to: q + 1)
                q.pointee = UInt8(ascii: ",")
                q += 1 &+ T.shortestText(v3, digits: d3.digits, exponent: d3.exponent, to: q + 1)
                q.pointee = UInt8(ascii: ",")
                q += 1
                j &+= numbersPerGroup
            }
            while j < last {
                if q >= limit { q = chunk.flush(upTo: q, into: &bytes) }
                let d = T.digits(of: src[j])
                q += T.shortestText(src[j], digits: d.digits, exponent: d.exponent, to: q)
                q.pointee = UInt8(ascii: ",")
                q += 1
                j &+= 1
            }
            (q - 1).pointee = UInt8(ascii: "]")
            src += last
        }
        q = chunk.put(UInt8(ascii: "]"), repeating: rank - 1, at: q, into: &bytes)
        _ = chunk.flush(upTo: q, into: &bytes)
    }

    /// `[]` for a leading zero, else `[sub,sub,...]`.
    private mutating func appendEmptyNested(_ shape: ArraySlice<Int>) {
        guard let first = shape.first, first > 0, shape.count > 1 else {
            bytes.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
            return
        }
        var inner = JSONWriter()
        inner.appendEmptyNested(shape.dropFirst())
        bytes.append(UInt8(ascii: "["))
        for i in 0..<first {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: inner.bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }
}
