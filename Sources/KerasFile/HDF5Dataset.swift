/// One dataset of an ``HDF5File``: its shape and datatype, read when it is opened, and its
/// values, copied only when asked for and only up to an element cap.
///
/// A small file can declare a huge shape (2^40 elements in 10 KB): compare ``shape`` with
/// what the model expects before reading. Reading checks that the storage holds exactly
/// element count × element size bytes, all inside the file.
public struct HDF5Dataset: Sendable {
    /// The path from the root, without a leading `/` (`layers/dense/vars/0`).
    public let path: String
    /// Dimensions, outermost first (C order); empty for a scalar.
    public let shape: [Int]
    public let datatype: HDF5Datatype
    /// Bytes of one stored element.
    public let elementSize: Int
    /// The product of ``shape`` (checked for overflow; not yet against any cap).
    public let elementCount: Int
    /// The dataset's attributes (Keras 3 weights files write none on datasets).
    public let attributes: HDF5Attributes
    let file: HDF5File
    let storage: Storage

    /// Where the values are (§IV.A.2.i, layout message version 3).
    enum Storage: Sendable {
        /// Inside the layout message (a byte range of the file).
        case compact(Range<Int>)
        /// A contiguous block: its address (nil when never written) and size.
        case contiguous(Int?, Int)
    }

    init(file: HDF5File, path: String, header: HDF5ObjectHeader) throws(KerasFileError) {
        let what = "HDF5 dataset /\(path)"
        typealias Kind = HDF5ObjectHeader.Kind
        guard let space = header.first(Kind.dataspace), let type = header.first(Kind.datatype), let layout = header.first(Kind.layout)
        else { throw .malformed("\(what): missing its dataspace, datatype or layout message") }
        if header.first(Kind.filterPipeline) != nil {
            throw .unsupported("\(what) is filtered (compressed); expected contiguous, unfiltered data")
        }
        guard space.flags & 0x02 == 0, type.flags & 0x02 == 0 else {
            throw .unsupported("\(what) has a shared (committed) datatype or dataspace")
        }
        let dataspace = try file.dataspace(file.body(space), "\(what) dataspace")
        let parsed = try file.datatype(file.body(type), "\(what) datatype")
        self.file = file
        self.path = path
        self.shape = dataspace.shape
        self.elementCount = dataspace.elementCount
        self.datatype = parsed.type
        self.elementSize = parsed.size
        self.storage = try Self.storage(file, layout, what)
        self.attributes = HDF5Attributes(file: file, header: header, owner: what)
    }

    static func storage(_ file: HDF5File, _ message: HDF5ObjectHeader.Message, _ what: String) throws(KerasFileError) -> Storage {
        let view = file.body(message)
        let version = try view.u8(0, "\(what) layout")
        guard version == 3 else { throw .unsupported("\(what): data layout message version \(version); expected 3") }
        switch try view.u8(1, "\(what) layout") {
        case 0:
            let size = try view.u16(2, "\(what) compact layout")
            let local = try view.range(4, size, "\(what) compact data")
            return .compact((message.body.lowerBound + local.lowerBound)..<(message.body.lowerBound + local.upperBound))
        case 1:
            let address = try file.address(in: view, 2, "\(what) contiguous layout")
            return .contiguous(address, try file.length(in: view, 2 + file.offsetSize, "\(what) contiguous layout"))
        case 2: throw .unsupported("\(what) is chunked; expected contiguous or compact storage")
        case let other: throw .unsupported("\(what): layout class \(other); expected contiguous or compact")
        }
    }

    /// The stored bytes of the values, after checking the element cap and the storage size.
    func rawValues(maxElements: Int?) throws(KerasFileError) -> ArraySlice<UInt8> {
        let cap = min(maxElements ?? file.limits.maxElements, file.limits.maxElements)
        guard elementCount <= cap else {
            throw .overLimit(what: "elements of HDF5 dataset /\(path) (shape \(shape), \(elementCount) elements)", limit: cap)
        }
        let (needed, overflow) = elementCount.multipliedReportingOverflow(by: elementSize)
        guard !overflow else { throw .malformed("HDF5 dataset /\(path): its byte size overflows") }
        switch storage {
        case .compact(let range):
            guard range.count == needed else {
                throw .malformed("HDF5 dataset /\(path): compact storage of \(range.count) bytes; shape × element size is \(needed)")
            }
            return file.bytes.slice(range)
        case .contiguous(nil, _):
            if needed == 0 { return [] }
            throw .unsupported("HDF5 dataset /\(path) has no storage allocated (never written)")
        case .contiguous(let address?, let size):
            guard size == needed else {
                throw .malformed("HDF5 dataset /\(path): contiguous storage of \(size) bytes; shape × element size is \(needed)")
            }
            return file.bytes.slice(try file.bytes.range(address, size, "HDF5 dataset /\(path) data"))
        }
    }
}
