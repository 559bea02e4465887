extension HDF5File {
    /// The links of a symbol-table group (§IV.A.2.r → §III.A.1, §III.B, §III.D): its
    /// children's names and object header addresses, in B-tree (name) order. At most
    /// ``KerasFileLimits/maxGroupEntries`` of them.
    func links(of header: HDF5ObjectHeader, path: String, budget: inout Budget) throws(KerasFileError) -> [(String, Int)] {
        let group = "HDF5 group /\(path)"
        guard let table = header.first(HDF5ObjectHeader.Kind.symbolTable) else {
            if header.first(HDF5ObjectHeader.Kind.link) != nil || header.first(HDF5ObjectHeader.Kind.linkInfo) != nil {
                throw .unsupported("\(group) stores its links in link messages (new-style group); expected a symbol table")
            }
            throw .malformed("\(group) is not a group (no symbol table message)")
        }
        let view = body(table)
        guard let tree = try address(in: view, 0, "\(group) symbol table B-tree"),
            let heap = try address(in: view, offsetSize, "\(group) symbol table local heap")
        else { throw .malformed("\(group): symbol table message with an undefined address") }
        let names = try localHeap(at: heap, group: group, budget: &budget)
        var links: [(String, Int)] = []
        // (node address, the level it must have: each child is one level lower; nil at the root)
        var pending: [(Int, Int?)] = [(tree, nil)]
        while let (node, expected) = pending.popLast() {
            let what = "\(group) B-tree node at offset \(node)"
            guard bytes.matches(Array("TREE".utf8), at: node) else { throw .malformed("\(what): no TREE signature") }
            try budget.visit(node, what)
            let type = try bytes.u8(node + 4, what)
            let level = Int(try bytes.u8(node + 5, what))
            let used = try bytes.u16(node + 6, what)
            guard type == 0 else { throw .malformed("\(what): node type \(type); expected 0 (group)") }
            if let expected, level != expected { throw .malformed("\(what): level \(level); expected \(expected)") }
            // Group B-tree nodes of every level hold at most 2 × "group internal node K" entries.
            guard used <= 2 * internalK else { throw .malformed("\(what): \(used) entries, more than 2K (\(2 * internalK))") }
            // Keys (lengths) and children (addresses) alternate after the two sibling addresses.
            let first = node + 8 + 2 * offsetSize
            var children: [Int] = []
            for i in 0..<used {
                let at = first + lengthSize + i * (lengthSize + offsetSize)
                guard let child = try address(at, what) else { throw .malformed("\(what): child \(i) has an undefined address") }
                children.append(child)
            }
            if level > 0 {
                pending += children.reversed().map { ($0, level - 1) }
                continue
            }
            for snod in children {
                try symbols(at: snod, names: names, group: group, into: &links, budget: &budget)
            }
        }
        return links
    }

    /// The entries of a symbol table node (§III.B), each a name offset into the local heap
    /// and an object header address (§III.C).
    private func symbols(
        at node: Int, names: ByteView, group: String, into links: inout [(String, Int)], budget: inout Budget
    ) throws(KerasFileError) {
        let what = "\(group) symbol table node at offset \(node)"
        guard bytes.matches(Array("SNOD".utf8), at: node) else { throw .malformed("\(what): no SNOD signature") }
        try budget.visit(node, what)
        let version = try bytes.u8(node + 4, what)
        guard version == 1 else { throw .malformed("\(what): version \(version); expected 1") }
        let count = try bytes.u16(node + 6, what)
        // Symbol table nodes hold at most 2 × "group leaf node K" entries.
        guard count <= 2 * leafK else { throw .malformed("\(what): \(count) symbols, more than 2K (\(2 * leafK))") }
        let entrySize = 2 * offsetSize + 24
        for i in 0..<count {
            let entry = node + 8 + i * entrySize
            let nameOffset = try bytes.uint(entry, offsetSize, what)
            guard let object = try address(entry + offsetSize, what) else {
                throw .malformed("\(what): entry \(i) has an undefined object header address")
            }
            guard links.count < limits.maxGroupEntries else {
                throw .overLimit(what: "entries of \(group)", limit: limits.maxGroupEntries)
            }
            links.append((try name(in: names, at: nameOffset, what), object))
        }
    }

    /// The data segment of the local heap at `address` (§III.D).
    private func localHeap(at address: Int, group: String, budget: inout Budget) throws(KerasFileError) -> ByteView {
        let what = "\(group) local heap at offset \(address)"
        guard bytes.matches(Array("HEAP".utf8), at: address) else { throw .malformed("\(what): no HEAP signature") }
        try budget.visit(address, what)
        let version = try bytes.u8(address + 4, what)
        guard version == 0 else { throw .malformed("\(what): version \(version); expected 0") }
        let size = try length(address + 8, what)
        guard let data = try self.address(address + 8 + 2 * lengthSize, what) else { throw .malformed("\(what): undefined data address") }
        return ByteView(bytes.slice(try bytes.range(data, size, what)))
    }

    /// The NUL-terminated UTF-8 name at `offset` of a local heap's data.
    private func name(in heap: ByteView, at offset: UInt64, _ what: String) throws(KerasFileError) -> String {
        guard offset < UInt64(heap.count) else { throw .malformed("\(what): name offset \(offset) outside the local heap") }
        let tail = heap.slice(Int(offset)..<heap.count)
        guard let end = tail.firstIndex(of: 0) else { throw .malformed("\(what): name at heap offset \(offset) has no NUL") }
        guard let name = String(validating: tail[..<end], as: UTF8.self) else {
            throw .malformed("\(what): name at heap offset \(offset) is not UTF-8")
        }
        return name
    }
}
