extension HDF5Dataset {
    /// The values in C order as `Float`, for `<f4` (copied as they are) and `<f2` (widened
    /// exactly) datasets.
    /// - Parameter maxElements: a cap below ``KerasFileLimits/maxElements`` (nil: that limit).
    /// - Throws: 413 over the cap; 422 for any other datatype (float64: use
    ///   ``readDoubles(maxElements:)``; integers, strings); 400 when the storage does not
    ///   hold exactly the shape's bytes inside the file.
    public func readFloats(maxElements: Int? = nil) throws(KerasFileError) -> [Float] {
        switch datatype {
        case .float(32):
            return Self.load(try rawValues(maxElements: maxElements), count: elementCount, sameBits: true) { Float(bitPattern: $0) }
        case .float(16):
            return Self.load(try rawValues(maxElements: maxElements), count: elementCount) { HalfFloat.widen($0) }
        default:
            throw .unsupported("HDF5 dataset /\(path) holds \(datatype); expected float16 or float32 values")
        }
    }

    /// The values in C order as `Double`, for `<f8`, `<f4` and `<f2` datasets (all exact).
    /// - Throws: as ``readFloats(maxElements:)``; 422 for non-float datatypes.
    public func readDoubles(maxElements: Int? = nil) throws(KerasFileError) -> [Double] {
        switch datatype {
        case .float(64):
            return Self.load(try rawValues(maxElements: maxElements), count: elementCount, sameBits: true) { Double(bitPattern: $0) }
        case .float(32), .float(16):
            return try readFloats(maxElements: maxElements).map(Double.init)
        default:
            throw .unsupported("HDF5 dataset /\(path) holds \(datatype); expected float values")
        }
    }

    /// `count` little-endian `Raw` values from `bytes`, each converted by `convert`.
    /// `sameBits`: `convert` is a bit cast, so on a little-endian host one copy does it.
    static func load<Raw: FixedWidthInteger, Value>(
        _ bytes: ArraySlice<UInt8>, count: Int, sameBits: Bool = false, _ convert: (Raw) -> Value
    ) -> [Value] {
        precondition(bytes.count == count * MemoryLayout<Raw>.size, "storage size checked by rawValues")
        return [Value](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                #if _endian(little)
                    if sameBits && MemoryLayout<Value>.stride == MemoryLayout<Raw>.size {
                        UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
                        initialized = count
                        return
                    }
                #endif
                for i in 0..<count {
                    let value = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<Raw>.size, as: Raw.self)
                    buffer.initializeElement(at: i, to: convert(Raw(littleEndian: value)))
                }
                initialized = count
            }
        }
    }
}
