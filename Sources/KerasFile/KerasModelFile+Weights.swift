extension KerasModelFile {
    /// The variables of one layer in the Keras 3 layouts: the datasets `<layerPath>/vars/0`,
    /// `1`, … in order (Dense: kernel, then bias when `use_bias`; BatchNormalization: gamma,
    /// beta, moving_mean, moving_variance, less those `center`/`scale` switch off).
    /// `layerPath` is the layer's key path, e.g. `layers/dense_1` or, in a nested
    /// Sequential, `layers/sequential/layers/dense` (see ``KerasSaveKey``).
    /// - Throws: 400 when the `vars` group is missing or holds anything but `0..<n` datasets.
    public func variables(at layerPath: String) throws(KerasFileError) -> [HDF5Dataset] {
        try weights.group(at: layerPath + "/vars").indexedDatasets()
    }

    /// The group holding `layer_names` in the legacy layouts: `model_weights` or the root.
    var legacyRoot: String { layout == .legacyModel ? "model_weights" : "" }

    /// The legacy layouts' `layer_names` (joined across `layer_names0`, `layer_names1`, … when
    /// Keras split them), in model order.
    /// - Throws: 400 when the file is not a legacy layout or the attribute is missing.
    public func legacyLayerNames() throws(KerasFileError) -> [String] {
        guard layout == .legacyModel || layout == .legacyWeights else {
            throw .malformed("\(layout) file has no layer_names (not a legacy .h5)")
        }
        guard let names = try weights.group(at: legacyRoot).attributes.joinedStrings("layer_names") else {
            throw .malformed("legacy .h5 group /\(legacyRoot) has no layer_names attribute")
        }
        return names
    }

    /// The weights of the legacy layer `layerName`, in its `weight_names` order (Keras 3
    /// writes `model_weights/dense/sequential/dense/kernel`, Keras 2
    /// `model_weights/dense/dense/kernel:0`; the names are followed, never guessed).
    /// The layer's group must hold exactly those datasets: any other dataset, or a group
    /// reached twice (a link cycle), is an error.
    /// - Throws: 400 for a missing layer group or weight, an unexpected dataset or a cycle;
    ///   413 past the node budget.
    public func legacyWeights(layerName: String) throws(KerasFileError) -> [HDF5Dataset] {
        let path = weights.join(legacyRoot, layerName)
        let group = try weights.group(at: path)
        let names = try group.attributes.joinedStrings("weight_names") ?? []
        var datasets: [HDF5Dataset] = []
        for name in names {
            datasets.append(try weights.dataset(at: weights.join(path, name)))
        }
        let expected = Set(datasets.map(\.path))
        var budget = Budget(weights.limits)
        var found: [String] = []
        try weights.datasetPaths(under: group, budget: &budget, into: &found)
        if let extra = found.first(where: { !expected.contains($0) }) {
            throw .malformed("legacy layer group /\(path) holds /\(extra), which its weight_names do not list")
        }
        return datasets
    }
}

extension HDF5File {
    /// Every dataset path below `group`, depth first, each object visited once (a second
    /// visit is a cycle: ``Budget/visit(_:_:)`` throws).
    func datasetPaths(under group: HDF5Group, budget: inout Budget, into paths: inout [String]) throws(KerasFileError) {
        for (name, address) in try links(of: group.header, path: group.path, budget: &budget) {
            switch try node(header: objectHeader(at: address, budget: &budget), path: join(group.path, name)) {
            case .group(let child): try datasetPaths(under: child, budget: &budget, into: &paths)
            case .dataset(let dataset): paths.append(dataset.path)
            }
        }
    }
}
