extension HDF5File {
    /// What `path` names (`layers/dense/vars/0`; `/` separates links, empty parts are
    /// skipped, `""` is the root), or nil when a link on the way does not exist.
    /// - Throws: 400 when a part of the way is not a group or the structures are broken;
    ///   413 past the lookup's node budget; 422 outside the supported subset.
    public func node(at path: String) throws(KerasFileError) -> HDF5Node? {
        var budget = Budget(limits)
        var current = HDF5Group(file: self, path: "", header: try objectHeader(at: rootAddress, budget: &budget))
        let parts = path.split(separator: "/")
        for (i, part) in parts.enumerated() {
            guard let next = try child(of: current, String(part), budget: &budget) else { return nil }
            switch next {
            case .group(let group): current = group
            case .dataset where i == parts.count - 1: return next
            case .dataset(let dataset): throw .malformed("HDF5 /\(dataset.path) is a dataset; expected a group on the way to /\(path)")
            }
        }
        return .group(current)
    }

    /// The group at `path`.
    /// - Throws: 400 when there is nothing there or it is a dataset; as ``node(at:)``.
    public func group(at path: String) throws(KerasFileError) -> HDF5Group {
        switch try node(at: path) {
        case .group(let group)?: return group
        case .dataset?: throw .malformed("HDF5 /\(path) is a dataset; expected a group")
        case nil: throw .malformed("HDF5 file has no group /\(path)")
        }
    }

    /// The dataset at `path`: its shape and datatype (no values are read).
    /// - Throws: 400 when there is nothing there or it is a group; as ``node(at:)``.
    public func dataset(at path: String) throws(KerasFileError) -> HDF5Dataset {
        switch try node(at: path) {
        case .dataset(let dataset)?: return dataset
        case .group?: throw .malformed("HDF5 /\(path) is a group; expected a dataset")
        case nil: throw .malformed("HDF5 file has no dataset /\(path)")
        }
    }

    func child(of group: HDF5Group, _ name: String, budget: inout Budget) throws(KerasFileError) -> HDF5Node? {
        let links = try links(of: group.header, path: group.path, budget: &budget)
        guard let (_, address) = links.first(where: { $0.0 == name }) else { return nil }
        return try node(header: objectHeader(at: address, budget: &budget), path: join(group.path, name))
    }

    /// Classifies an object header: a symbol table makes a group, a layout a dataset.
    func node(header: HDF5ObjectHeader, path: String) throws(KerasFileError) -> HDF5Node {
        typealias Kind = HDF5ObjectHeader.Kind
        if header.first(Kind.symbolTable) != nil { return .group(HDF5Group(file: self, path: path, header: header)) }
        if header.first(Kind.layout) != nil { return .dataset(try HDF5Dataset(file: self, path: path, header: header)) }
        if header.first(Kind.link) != nil || header.first(Kind.linkInfo) != nil || header.first(Kind.groupInfo) != nil {
            throw .unsupported("HDF5 /\(path) is a new-style group (link messages); expected a symbol table")
        }
        throw .unsupported("HDF5 /\(path) is neither a group nor a dataset (a committed datatype?)")
    }

    func join(_ parent: String, _ name: String) -> String { parent.isEmpty ? name : parent + "/" + name }
}
