/// A reader of the subset of HDF5 that Keras (through h5py with its default, earliest file
/// format) writes, over a file held in memory.
///
/// The subset (HDF5 File Format Specification 3.0): superblock version 0 or 1 (§II.A);
/// version 1 object headers with continuation messages (§IV.A.1.a, §IV.A.2.q); groups
/// stored as symbol tables: a version 1 B-tree of type 0 (§III.A.1), symbol table nodes
/// (§III.B) and a local heap of names (§III.D); dataspace messages v1/v2 (§IV.A.2.b);
/// little-endian IEEE floats, integers, fixed and variable-length strings (§IV.A.2.d), the
/// latter through the global heap (§III.E); data layout v3, contiguous or compact
/// (§IV.A.2.i); attribute messages v1–v3 (§IV.A.2.m). Anything else — superblock v2/v3,
/// v2 object headers, link messages, fractal heaps, v2 B-trees, chunked or filtered data,
/// big-endian or shared datatypes — is ``KerasFileError/unsupported(_:)`` (422).
///
/// Objects are found by path (`layers/dense/vars/0`); the tree is never walked as a whole.
/// Each lookup has a budget of ``KerasFileLimits/maxHDF5Nodes`` structures and keeps a
/// visited set, so link cycles and B-tree loops end in an error. Every address and length
/// is checked against the buffer. Opening a dataset reads its shape and datatype only;
/// values are copied by ``HDF5Dataset/readFloats(maxElements:)`` and its siblings.
public struct HDF5File: Sendable {
    /// The caps in force for every lookup and read of this file.
    public let limits: KerasFileLimits
    let bytes: ByteView
    /// Bytes of an address ("size of offsets") and of a length, from the superblock.
    let offsetSize: Int
    let lengthSize: Int
    /// Addresses in the file are relative to this byte (§II.A "Base Address").
    let base: Int
    let leafK: Int
    let internalK: Int
    private(set) var rootAddress = 0

    /// The HDF5 signature, `\x89HDF\r\n\x1a\n` (§II.A "Format Signature").
    public static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Opens the file in `bytes` (not copied) and reads its superblock.
    /// - Throws: ``KerasFileError``: 400 when there is no signature or the superblock is
    ///   cut or inconsistent (an end-of-file address past the data: a truncated file);
    ///   422 for superblock versions 2 and 3 (h5py's `libver="latest"`) or a file driver.
    public init(_ bytes: [UInt8], limits: KerasFileLimits = KerasFileLimits()) throws(KerasFileError) {
        try self.init(bytes[...], limits: limits)
    }

    /// Opens the file in a slice of a larger buffer (a stored zip member, say).
    public init(_ bytes: ArraySlice<UInt8>, limits: KerasFileLimits = KerasFileLimits()) throws(KerasFileError) {
        let view = ByteView(bytes)
        self.bytes = view
        self.limits = limits
        // §II.A: the superblock may sit at 0, 512, 1024, 2048, … (after a user block).
        var start = 0
        while !view.matches(Self.signature, at: start) {
            start = start == 0 ? 512 : start * 2
            guard start < view.count else { throw .malformed("no HDF5 signature at offset 0, 512, 1024, …") }
        }
        let what = "HDF5 superblock at offset \(start)"
        let version = try view.u8(start + 8, what)
        switch version {
        case 0, 1: break
        case 2, 3: throw .unsupported("HDF5 superblock version \(version) (h5py libver=\"latest\"); expected version 0 or 1")
        default: throw .malformed("\(what): version \(version); expected 0 or 1")
        }
        offsetSize = Int(try view.u8(start + 13, what))
        lengthSize = Int(try view.u8(start + 14, what))
        guard [2, 4, 8].contains(offsetSize), [2, 4, 8].contains(lengthSize) else {
            throw .malformed("\(what): size of offsets \(offsetSize), of lengths \(lengthSize); expected 2, 4 or 8")
        }
        leafK = try view.u16(start + 16, what)
        internalK = try view.u16(start + 18, what)
        guard leafK > 0, internalK > 0 else { throw .malformed("\(what): B-tree K values must be positive") }
        var p = start + 24 + (version == 1 ? 4 : 0)
        let rawBase = try view.uint(p, offsetSize, what)
        guard rawBase == UInt64(start) else {
            throw .malformed("\(what): base address \(rawBase); expected the superblock's offset \(start)")
        }
        base = start
        p += 2 * offsetSize
        let eof = try view.uint(p, offsetSize, what)
        guard eof <= UInt64(view.count - start) else {
            throw .malformed("truncated HDF5 file: the superblock declares \(eof) bytes, the data holds \(view.count - start)")
        }
        p += offsetSize
        guard try view.uint(p, offsetSize, what) == Self.undefined(offsetSize) else {
            throw .unsupported("\(what): a file driver information block (family or multi driver)")
        }
        p += offsetSize
        // The root group's symbol table entry (§III.C): its object header address.
        guard let root = try address(p + offsetSize, "root group symbol table entry") else {
            throw .malformed("\(what): the root group has no object header address")
        }
        rootAddress = root
    }

    /// The root group (`/`).
    public var root: HDF5Group {
        get throws(KerasFileError) {
            var budget = Budget(limits)
            return try HDF5Group(file: self, path: "", header: objectHeader(at: rootAddress, budget: &budget))
        }
    }

    /// The all-ones value that marks an undefined address (§II "undefined address").
    static func undefined(_ size: Int) -> UInt64 { size == 8 ? UInt64.max : (UInt64(1) << UInt64(size * 8)) - 1 }

    /// The address stored at `offset` as an offset into the buffer, or nil when undefined.
    /// - Throws: malformed when it points past the end of the data.
    func address(_ offset: Int, _ what: @autoclosure () -> String) throws(KerasFileError) -> Int? {
        try address(in: bytes, offset, what())
    }

    /// The address stored at `offset` of `view` (a message body, say), checked against the file.
    func address(in view: ByteView, _ offset: Int, _ what: @autoclosure () -> String) throws(KerasFileError) -> Int? {
        let raw = try view.uint(offset, offsetSize, what())
        if raw == Self.undefined(offsetSize) { return nil }
        guard raw < UInt64(bytes.count - base) else {
            throw .malformed("\(what()): address \(raw) lies past the end of the \(bytes.count)-byte file")
        }
        return base + Int(raw)
    }

    /// The length stored at `offset` (a "size of lengths" field), as an Int.
    func length(_ offset: Int, _ what: @autoclosure () -> String) throws(KerasFileError) -> Int {
        try length(in: bytes, offset, what())
    }

    /// The length stored at `offset` of `view`.
    func length(in view: ByteView, _ offset: Int, _ what: @autoclosure () -> String) throws(KerasFileError) -> Int {
        let raw = try view.uint(offset, lengthSize, what())
        guard raw <= UInt64(Int.max) else { throw .malformed("\(what()): length \(raw) does not fit in 63 bits") }
        return Int(raw)
    }
}

/// What one lookup may still visit (object headers, continuation blocks, B-tree and symbol
/// table nodes), and where it has been.
struct Budget {
    var left: Int
    let limit: Int
    var visited: Set<Int> = []

    init(_ limits: KerasFileLimits) {
        left = limits.maxHDF5Nodes
        limit = limits.maxHDF5Nodes
    }

    /// Counts one structure at `address` (`what` names it and its offset); a second visit of
    /// the same address is a cycle.
    mutating func visit(_ address: Int, _ what: @autoclosure () -> String) throws(KerasFileError) {
        guard visited.insert(address).inserted else { throw .malformed("\(what()) is reached twice (a cycle)") }
        left -= 1
        guard left >= 0 else { throw .overLimit(what: "HDF5 structures visited by one lookup", limit: limit) }
    }
}
