import CDenseGEMM

/// A Dense kernel `[inputDim, units]` packed once, at model load, into the panel layout of
/// DenseServe's batch-invariant GEMM (`CDenseGEMM/include/dense_gemm.h`).
///
/// The packed copy replaces the row-major one: it is the only copy a layer keeps, so memory
/// is the weights rounded up to whole panels of 128 bytes (32 float or 16 double columns).
/// ``unpacked()`` recovers the row-major values exactly.
public final class PackedKernel: @unchecked Sendable {
    // `@unchecked Sendable`: `storage` is written once, in `init`, and only read afterwards;
    // the class is final and exposes no mutation.
    public let dtype: DType
    public let inputDim: Int
    public let units: Int
    /// Elements in the packed buffer (`inputDim · units` rounded up to whole panels).
    public let packedCount: Int
    private let storage: UnsafeMutableRawPointer

    /// Columns per panel in `dtype`: 32 floats or 16 doubles (128 bytes).
    public static func panelWidth(_ dtype: DType) -> Int { dtype == .float32 ? dk_panel_width_f32() : dk_panel_width_f64() }

    /// Elements a packed `[inputDim, units]` kernel holds (units rounded up to whole panels),
    /// or nil on overflow.
    public static func packedCount(inputDim: Int, units: Int, dtype: DType) -> Int? {
        let width = panelWidth(dtype)
        let (rounded, overflow) = units.addingReportingOverflow(width - 1)
        guard !overflow else { return nil }
        let (count, overflow2) = inputDim.multipliedReportingOverflow(by: rounded / width * width)
        return overflow2 ? nil : count
    }

    /// Packs `kernel` (`inputDim·units` values, row-major) in its own dtype.
    /// Precondition: `inputDim`, `units` ≥ 1 (a layer validates its shape first).
    public init(kernel: TensorStorage, inputDim: Int, units: Int) {
        precondition(inputDim >= 1 && units >= 1, "an empty kernel \(inputDim)×\(units)")
        precondition(kernel.count == inputDim * units, "kernel has \(kernel.count) values, expected \(inputDim)×\(units)")
        dtype = kernel.dtype
        self.inputDim = inputDim
        self.units = units
        switch kernel {
        case .float32(let values):
            packedCount = dk_packed_count_f32(inputDim, units)
            storage = .allocate(byteCount: max(1, packedCount) * 4, alignment: 64)
            values.withUnsafeBufferPointer { dk_pack_f32(inputDim, units, $0.baseAddress!, storage.assumingMemoryBound(to: Float.self)) }
        case .float64(let values):
            packedCount = dk_packed_count_f64(inputDim, units)
            storage = .allocate(byteCount: max(1, packedCount) * 8, alignment: 64)
            values.withUnsafeBufferPointer { dk_pack_f64(inputDim, units, $0.baseAddress!, storage.assumingMemoryBound(to: Double.self)) }
        }
    }

    deinit { storage.deallocate() }

    /// Bytes the packed copy holds.
    public var byteCount: Int { packedCount * dtype.byteSize }

    /// Panels of columns (the unit a GEMM can be split into by columns).
    public var panelCount: Int { (units + Self.panelWidth(dtype) - 1) / Self.panelWidth(dtype) }

    /// Whether both hold the same kernel, bit for bit (padding is always zero).
    public func hasSameValues(as other: PackedKernel) -> Bool {
        if self === other { return true }
        guard dtype == other.dtype, inputDim == other.inputDim, units == other.units else { return false }
        return dk_bytes_equal(storage, other.storage, byteCount) != 0
    }

    /// The row-major kernel `[inputDim, units]`, bit for bit as it was packed.
    public func unpacked() -> TensorStorage {
        let count = inputDim * units
        switch dtype {
        case .float32:
            return .float32(
                [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    dk_unpack_f32(inputDim, units, storage.assumingMemoryBound(to: Float.self), buffer.baseAddress!)
                    initialized = count
                })
        case .float64:
            return .float64(
                [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
                    dk_unpack_f64(inputDim, units, storage.assumingMemoryBound(to: Double.self), buffer.baseAddress!)
                    initialized = count
                })
        }
    }

    /// Rows `rows` of the row-major kernel, bit for bit, into `buffer`: `rows.count · units`
    /// values of ``dtype`` (a piece of ``unpacked()`` without the whole copy).
    public func unpack(rows: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= inputDim, "rows \(rows) outside 0..<\(inputDim)")
        precondition(buffer.count >= rows.count * units * dtype.byteSize, "buffer of \(buffer.count) bytes for \(rows.count) rows")
        guard !rows.isEmpty else { return }
        switch dtype {
        case .float32:
            dk_unpack_rows_f32(
                inputDim, units, storage.assumingMemoryBound(to: Float.self), rows.lowerBound, rows.upperBound,
                buffer.baseAddress!.assumingMemoryBound(to: Float.self))
        case .float64:
            dk_unpack_rows_f64(
                inputDim, units, storage.assumingMemoryBound(to: Double.self), rows.lowerBound, rows.upperBound,
                buffer.baseAddress!.assumingMemoryBound(to: Double.self))
        }
    }

    /// Calls `body` with the row-major kernel's bytes (little-endian on every target we build),
    /// in order, whole rows at a time: as many as fit in `chunkBytes`, at least one. One
    /// buffer of that size is reused, so memory stays at one chunk whatever the kernel's size.
    public func forEachRowMajorChunk<E: Error>(chunkBytes: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        let rowBytes = units * dtype.byteSize
        let rowsPerChunk = max(1, min(inputDim, chunkBytes / rowBytes))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: rowsPerChunk * rowBytes, alignment: 64)
        defer { buffer.deallocate() }
        var row = 0
        while row < inputDim {
            let end = min(inputDim, row + rowsPerChunk)
            unpack(rows: row..<end, into: buffer)
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<((end - row) * rowBytes)]))
            row = end
        }
    }

    /// `y[rows × units] = x[rows × inputDim] · kernel` for the columns of `panels`, in the
    /// kernel's dtype. Bitwise the same for a row whatever `rows`, its position, the panel
    /// split or `isa` (see ``GEMM``).
    @inlinable
    public func multiply<T: DenseScalar>(
        rows: Int, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, panels: Range<Int>? = nil, isa: GEMM.ISA = GEMM.isa
    ) {
        precondition(T.dtype == dtype, "input dtype \(T.dtype) does not match the kernel's \(dtype)")
        let range = panels ?? 0..<panelCount
        precondition(range.lowerBound >= 0 && range.upperBound <= panelCount, "panels \(range) outside 0..<\(panelCount)")
        T.packedGEMM(
            isa: isa, m: rows, n: units, k: inputDim, x: x, packed: UnsafeRawPointer(packedBase), y: y,
            panelBegin: range.lowerBound, panelEnd: range.upperBound)
    }

    @usableFromInline var packedBase: UnsafeMutableRawPointer { storage }
}
