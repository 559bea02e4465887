/// Entry points of the `keras` libFuzzer target (`dense-fuzz keras`, see `Fuzz/README.md`)
/// and of the tests. Not part of the module's API: import with `@_spi(Fuzzing)`.
@_spi(Fuzzing) public enum KerasFileFuzzing {
    /// Small caps, so one input stays cheap (and the caps themselves get exercised).
    public static let limits = KerasFileLimits(
        maxZipMembers: 16, maxConfigBytes: 1 << 16, maxMetadataBytes: 1 << 12, maxWeightsBytes: 1 << 20, maxHDF5Nodes: 256,
        maxGroupEntries: 256, maxElements: 1 << 16, maxAttributeBytes: 1 << 16)

    /// What ``readEverything(_:)`` read.
    public struct Summary: Sendable, Equatable {
        public var groups = 0
        public var datasets = 0
        public var values = 0
        public var attributes = 0
    }

    /// Opens arbitrary bytes as a model file and reads all it finds: as a zip, every member
    /// (under a small cap); as a model file, everything ``readEverything(_:)`` reads. Any
    /// failure must be a ``KerasFileError`` (typed throws make that so); traps when an
    /// invariant breaks: a member longer than its cap, a value count other than the shape's.
    public static func open(_ bytes: [UInt8]) {
        if let zip = try? ZipArchive(bytes, maxMembers: limits.maxZipMembers) {
            for entry in zip.entries {
                if let data = try? zip.contents(of: entry, cap: 1 << 16) {
                    precondition(data.count == entry.uncompressedSize && data.count <= 1 << 16, "zip member size")
                }
            }
        }
        guard let file = try? KerasModelFile(bytes, limits: limits) else { return }
        _ = try? readEverything(file)
        if file.layout == .legacyModel || file.layout == .legacyWeights, let names = try? file.legacyLayerNames() {
            for name in names.prefix(64) { _ = try? file.legacyWeights(layerName: name) }
        }
        if file.layout == .kerasArchive || file.layout == .kerasWeights,
            let layers = try? file.weights.group(at: "layers").childNames()
        {
            for name in layers.prefix(64) { _ = try? file.variables(at: "layers/" + name) }
        }
    }

    /// Walks the whole weights tree of `file` (every object once; one node budget for the
    /// walk), decoding every string attribute and reading every float dataset.
    /// - Throws: the first ``KerasFileError`` met.
    public static func readEverything(_ file: KerasModelFile) throws(KerasFileError) -> Summary {
        var summary = Summary()
        var budget = Budget(file.weights.limits)
        let root = try file.weights.root
        try walk(root, file.weights, &budget, &summary)
        return summary
    }

    private static func walk(
        _ group: HDF5Group, _ file: HDF5File, _ budget: inout Budget, _ summary: inout Summary
    ) throws(KerasFileError) {
        summary.groups += 1
        try readAttributes(group.attributes, &summary)
        for (name, address) in try file.links(of: group.header, path: group.path, budget: &budget) {
            switch try file.node(header: file.objectHeader(at: address, budget: &budget), path: file.join(group.path, name)) {
            case .group(let child):
                try walk(child, file, &budget, &summary)
            case .dataset(let dataset):
                summary.datasets += 1
                try readAttributes(dataset.attributes, &summary)
                if case .float = dataset.datatype {
                    let values = try dataset.readDoubles()
                    precondition(values.count == dataset.elementCount, "value count")
                    summary.values += values.count
                }
            }
        }
    }

    private static func readAttributes(_ attributes: HDF5Attributes, _ summary: inout Summary) throws(KerasFileError) {
        for attribute in try attributes.all() {
            summary.attributes += 1
            switch attribute.datatype {
            case .fixedString, .variableString:
                let strings = try attribute.strings()
                precondition(strings.count == attribute.elementCount, "string count")
            default: break
            }
        }
    }
}
