/// Bounds-checked little-endian reads from an in-memory file. Offsets are relative to the
/// start of the view (0 is the first byte), so slices of a larger upload read like files.
/// Every read that could pass the end throws ``KerasFileError/malformed(_:)`` naming what
/// was being read; nothing traps on hostile offsets.
struct ByteView: Sendable {
    let storage: ArraySlice<UInt8>

    init(_ storage: ArraySlice<UInt8>) { self.storage = storage }

    var count: Int { storage.count }

    /// `offset..<offset + length`, after checking it lies inside the view (overflow-safe).
    func range(_ offset: Int, _ length: Int, _ what: @autoclosure () -> String) throws(KerasFileError) -> Range<Int> {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else {
            throw .malformed("\(what()): bytes \(offset) + \(length) lie outside the \(count)-byte data")
        }
        return offset..<(offset + length)
    }

    /// The bytes of `range` (relative offsets), as a slice of the same storage: no copy.
    func slice(_ range: Range<Int>) -> ArraySlice<UInt8> {
        storage[(storage.startIndex + range.lowerBound)..<(storage.startIndex + range.upperBound)]
    }

    /// An unsigned little-endian integer of `size` (1…8) bytes at `offset`.
    func uint(_ offset: Int, _ size: Int, _ what: @autoclosure () -> String) throws(KerasFileError) -> UInt64 {
        let r = try range(offset, size, what())
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for i in r {
            value |= UInt64(storage[storage.startIndex + i]) << shift
            shift += 8
        }
        return value
    }

    func u8(_ offset: Int, _ what: @autoclosure () -> String) throws(KerasFileError) -> UInt8 {
        UInt8(try uint(offset, 1, what()))
    }

    func u16(_ offset: Int, _ what: @autoclosure () -> String) throws(KerasFileError) -> Int {
        Int(try uint(offset, 2, what()))
    }

    func u32(_ offset: Int, _ what: @autoclosure () -> String) throws(KerasFileError) -> Int {
        Int(try uint(offset, 4, what()))
    }

    /// Whether `bytes` sit at `offset` (false when they would pass the end).
    func matches(_ bytes: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset <= count - bytes.count else { return false }
        for (i, b) in bytes.enumerated() where storage[storage.startIndex + offset + i] != b { return false }
        return true
    }
}
