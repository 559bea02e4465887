/// The objects of global heap collections already read by one attribute decode: collection
/// address → object index → the object's data range in the file.
struct GlobalHeapCache {
    var collections: [Int: [Int: Range<Int>]] = [:]
}

extension HDF5File {
    /// The bytes of the variable-length string whose 16-byte descriptor (length, global heap
    /// collection address, object index; §IV.A.2.d class 9) is at `offset` of `view`.
    func globalHeapString(
        _ view: ByteView, at offset: Int, cache: inout GlobalHeapCache, _ what: String
    ) throws(KerasFileError) -> ArraySlice<UInt8> {
        let length = try view.u32(offset, what)
        let collection = try address(in: view, offset + 4, what)
        let index = try view.u32(offset + 4 + offsetSize, what)
        guard let collection else {
            if length == 0 { return [] }  // h5py's empty string: no heap object
            throw .malformed("\(what): a \(length)-byte string with an undefined global heap address")
        }
        if cache.collections[collection] == nil {
            guard cache.collections.count < 64 else {
                throw .overLimit(what: "global heap collections read by \(what)", limit: 64)
            }
            cache.collections[collection] = try globalHeapObjects(at: collection, what)
        }
        guard let object = cache.collections[collection]?[index], object.count >= length else {
            throw .malformed("\(what): no global heap object \(index) of \(length) bytes in the collection at offset \(collection)")
        }
        return bytes.slice(object.lowerBound..<(object.lowerBound + length))
    }

    /// The objects of the global heap collection at `address` (§III.E): index → data range.
    private func globalHeapObjects(at address: Int, _ what: String) throws(KerasFileError) -> [Int: Range<Int>] {
        let heap = "global heap collection at offset \(address) (\(what))"
        guard bytes.matches(Array("GCOL".utf8), at: address) else { throw .malformed("\(heap): no GCOL signature") }
        let version = try bytes.u8(address + 4, heap)
        guard version == 1 else { throw .malformed("\(heap): version \(version); expected 1") }
        let size = try length(address + 8, heap)
        let collection = try bytes.range(address, size, heap)
        var objects: [Int: Range<Int>] = [:]
        var p = address + 8 + lengthSize
        let header = 8 + lengthSize
        while collection.upperBound - p >= header {
            let index = try bytes.u16(p, heap)
            if index == 0 { break }  // the free space object ends the list
            let objectSize = try length(p + 8, heap)
            guard objectSize <= collection.upperBound - p - header else {
                throw .malformed("\(heap): object \(index) of \(objectSize) bytes runs past the collection")
            }
            guard objects.updateValue((p + header)..<(p + header + objectSize), forKey: index) == nil else {
                throw .malformed("\(heap): object index \(index) appears twice")
            }
            let padded = (objectSize + 7) / 8 * 8
            p += header + min(padded, collection.upperBound - p - header)
        }
        return objects
    }
}
