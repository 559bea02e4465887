/// A dataspace message (§IV.A.2.b): the shape of a dataset or attribute.
struct HDF5Dataspace: Sendable {
    /// Dimensions, outermost first; empty for a scalar (and for the null dataspace).
    let shape: [Int]
    /// The product of `shape` (1 for a scalar, 0 for the null dataspace).
    let elementCount: Int

    /// The most dimensions HDF5 allows (H5S_MAX_RANK).
    static let maxRank = 32
}

extension HDF5File {
    /// Parses a dataspace message body, version 1 or 2. The element count is checked for
    /// overflow here; it is checked against the caps only when values are read.
    func dataspace(_ view: ByteView, _ what: String) throws(KerasFileError) -> HDF5Dataspace {
        let version = try view.u8(0, what)
        let rank = Int(try view.u8(1, what))
        let flags = try view.u8(2, what)
        let dims: Int
        switch version {
        case 1:
            dims = 8
        case 2:
            let kind = try view.u8(3, what)
            guard kind <= 2 else { throw .malformed("\(what): dataspace type \(kind); expected 0, 1 or 2") }
            if kind == 2 { return HDF5Dataspace(shape: [], elementCount: 0) }
            guard (kind == 0) == (rank == 0) else { throw .malformed("\(what): dataspace type \(kind) with rank \(rank)") }
            dims = 4
        default:
            throw .malformed("\(what): dataspace version \(version); expected 1 or 2")
        }
        guard rank <= HDF5Dataspace.maxRank else { throw .malformed("\(what): rank \(rank); HDF5 allows at most 32") }
        guard flags & 0x02 == 0 || version != 1 else { throw .unsupported("\(what): dataspace with a permutation index") }
        var shape: [Int] = []
        var count = 1
        for i in 0..<rank {
            let raw = try view.uint(dims + i * lengthSize, lengthSize, what)
            guard raw <= UInt64(Int.max) else { throw .malformed("\(what): dimension \(i) is \(raw)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(raw))
            guard !overflow else { throw .malformed("\(what): the element count of shape overflows 63 bits") }
            shape.append(Int(raw))
            count = product
        }
        return HDF5Dataspace(shape: shape, elementCount: count)
    }
}
