/// One group of an ``HDF5File`` (a symbol-table group, §IV.A.2.r).
public struct HDF5Group: Sendable {
    /// The path from the root, without a leading `/` (empty for the root).
    public let path: String
    /// The group's attributes (`layer_names`, `weight_names`, `model_config`, `name`, …).
    public let attributes: HDF5Attributes
    let file: HDF5File
    let header: HDF5ObjectHeader

    init(file: HDF5File, path: String, header: HDF5ObjectHeader) {
        self.file = file
        self.path = path
        self.header = header
        self.attributes = HDF5Attributes(file: file, header: header, owner: "HDF5 group /\(path)")
    }

    /// The names of the group's links (children), in stored order (by name), at most
    /// ``KerasFileLimits/maxGroupEntries``.
    /// - Throws: 413 past the entry cap or the node budget; 422 for a new-style group.
    public func childNames() throws(KerasFileError) -> [String] {
        var budget = Budget(file.limits)
        return try file.links(of: header, path: path, budget: &budget).map(\.0)
    }

    /// The child called `name` (one link, no `/`), or nil when the group has no such link.
    public func child(_ name: String) throws(KerasFileError) -> HDF5Node? {
        var budget = Budget(file.limits)
        return try file.child(of: self, name, budget: &budget)
    }

    /// The children named `0`, `1`, …, `n-1`, which must all be datasets and be all the
    /// group has, in numeric order: a Keras 3 `vars` group (`layers/dense/vars`: kernel 0,
    /// bias 1). An empty group gives an empty list.
    /// - Throws: 400 for any other child name, a gap, or a child that is not a dataset.
    public func indexedDatasets() throws(KerasFileError) -> [HDF5Dataset] {
        var budget = Budget(file.limits)
        let links = try file.links(of: header, path: path, budget: &budget)
        var byIndex: [Int: Int] = [:]
        for (name, address) in links {
            guard let index = Int(name), index >= 0, index < links.count, String(index) == name else {
                throw .malformed("HDF5 group /\(path) has a child \(name.debugDescription); expected only 0..<\(links.count)")
            }
            byIndex[index] = address
        }
        var datasets: [HDF5Dataset] = []
        for index in 0..<links.count {
            guard let address = byIndex[index] else { throw .malformed("HDF5 group /\(path) has no child \(index)") }
            let childPath = file.join(path, String(index))
            guard case .dataset(let dataset) = try file.node(header: file.objectHeader(at: address, budget: &budget), path: childPath)
            else { throw .malformed("HDF5 /\(childPath) is a group; expected a dataset") }
            datasets.append(dataset)
        }
        return datasets
    }
}
