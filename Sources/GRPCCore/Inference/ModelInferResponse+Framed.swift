extension ModelInferResponse {
    /// The framed response (5-byte gRPC prefix, flag 0, then the message) with raw outputs
    /// that `writeRawOutput` writes straight into the final buffer: output `index` gets
    /// `rawOutputByteCounts[index]` uninitialized bytes and must write every one of them
    /// (e.g. `floats.withUnsafeBytes { destination.copyMemory(from: $0) }`), so a 5 MB
    /// output is written once and never copied or zero-filled.
    ///
    /// Fields 1–5 are encoded first into a small buffer, then the whole message is sized
    /// exactly and allocated once. ``rawOutputContents`` is not used (it must be empty).
    /// The result equals ``encodeFramed()`` of the response with those raw contents.
    /// - Precondition: `rawOutputContents` is empty, no count is negative, and the message
    ///   fits the 4-byte length (4 GiB).
    public func encodeFramed(
        rawOutputByteCounts: [Int], writeRawOutput: (_ index: Int, _ destination: UnsafeMutableRawBufferPointer) -> Void
    ) -> [UInt8] {
        precondition(rawOutputContents.isEmpty, "raw outputs come from writeRawOutput alone")
        var head = ProtoWriter(appendingTo: [0, 0, 0, 0, 0])
        encodeMetadata(to: &head)
        let rawTag = UInt8(ProtoTag(fieldNumber: 6, wireType: .lengthDelimited).key)
        var total = head.bytes.count
        for count in rawOutputByteCounts {
            precondition(count >= 0, "a byte count is never negative")
            total += 1 + ProtoWriter.varintSize(UInt64(count)) + count
        }
        let length = total - GRPCMessageFrame.prefixLength
        precondition(UInt64(length) <= UInt64(UInt32.max), "a gRPC message is at most 4 GiB")
        GRPCMessageFrame.writePrefix(compressed: false, length: length, into: &head.bytes, at: 0)
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var at = head.bytes.withUnsafeBufferPointer { buffer.initialize(fromContentsOf: $0) }
            for (index, count) in rawOutputByteCounts.enumerated() {
                buffer[at] = rawTag
                at += 1
                var value = UInt64(count)
                while value >= 0x80 {
                    buffer[at] = UInt8(truncatingIfNeeded: value) | 0x80
                    value >>= 7
                    at += 1
                }
                buffer[at] = UInt8(value)
                at += 1
                writeRawOutput(index, UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[at..<at + count])))
                at += count
            }
            initialized = total
        }
    }
}
