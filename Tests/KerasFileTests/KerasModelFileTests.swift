@_spi(Fuzzing) import KerasFile
import Testing

/// The files real Keras wrote open, in the layout the manifest names, and every weight
/// dataset has the shape, dtype and values h5py reported.
@Suite struct KerasModelFileTests {
    @Test(arguments: Fixtures.names(expect: "load"))
    func loads(_ name: String) throws {
        let entry = Fixtures.entry(name)
        let file = try KerasModelFile(Fixtures.bytes(name))
        let layout: [String: KerasModelFile.Layout] = [
            "keras_archive": .kerasArchive, "keras_weights": .kerasWeights, "legacy_model": .legacyModel,
            "legacy_weights": .legacyWeights,
        ]
        #expect(file.layout == layout[entry["layout"] as? String ?? ""])
        #expect((file.configJSON != nil) == (file.layout == .kerasArchive || file.layout == .legacyModel))
        if file.layout == .legacyModel {
            #expect(file.kerasVersion != nil)
            #expect(file.backend != nil)
        }
        for listed in entry["datasets"] as? [[String: Any]] ?? [] {
            try checkDataset(file.weights, listed)
        }
        // The service's path to the weights reaches every listed weight (optimizer state aside).
        let weights = try readWeights(file)
        #expect(!weights.isEmpty || name.contains("unbuilt"))
        if let legacy = entry["legacy"] as? [String: Any] {
            #expect(try file.legacyLayerNames() == legacy["layer_names"] as? [String])
            let root = legacy["root"] as? String ?? ""
            for (layer, names) in legacy["weight_names"] as? [String: [String]] ?? [:] {
                let paths = try file.legacyWeights(layerName: layer).map(\.path)
                #expect(paths == names.map { [root, layer, $0].filter { !$0.isEmpty }.joined(separator: "/") })
            }
        }
        #expect(try KerasFileFuzzing.readEverything(file).datasets == (entry["datasets"] as? [Any])?.count)
    }

    func checkDataset(_ file: HDF5File, _ listed: [String: Any]) throws {
        let path = listed["path"] as? String ?? ""
        let dataset = try file.dataset(at: path)
        #expect(dataset.shape == listed["shape"] as? [Int], "\(path)")
        #expect(numpyName(dataset.datatype) == listed["dtype"] as? String, "\(path)")
        guard case .float = dataset.datatype else { return }
        let values = try dataset.readDoubles()
        #expect(values.count == dataset.elementCount)
        // h5py's sum: left to right in float64, each value widened exactly.
        #expect(values.reduce(0, +) == listed["sum"] as? Double, "\(path) sum")
        if let first = listed["first"] as? Double { #expect(values.first == first, "\(path) first") }
        if let last = listed["last"] as? Double { #expect(values.last == last, "\(path) last") }
        if dataset.datatype != .float(bits: 64) {
            #expect(try dataset.readFloats().map(Double.init) == values)
        }
    }

    @Test func legacyConfigIsTheModelConfigAttribute() throws {
        let file = try KerasModelFile(Fixtures.bytes("mlp.h5"))
        let config = String(decoding: file.configJSON ?? [], as: UTF8.self)
        #expect(config.hasPrefix("{\"class_name\": \"Sequential\""))
        #expect(file.kerasVersion == "3.15.1")
        #expect(file.backend == "tensorflow")
    }

    @Test func archiveHandsBackConfigAndMetadata() throws {
        let file = try KerasModelFile(Fixtures.bytes("mlp.keras"))
        #expect(String(decoding: file.metadataJSON ?? [], as: UTF8.self).contains("\"keras_version\": \"3.15.1\""))
        #expect(String(decoding: file.configJSON ?? [], as: UTF8.self).contains("\"class_name\": \"Sequential\""))
        let kernel = try file.variables(at: "layers/dense")[0]
        #expect(kernel.shape == [4, 8])
        #expect(try file.weights.group(at: "layers/dense/vars").attributes.string("name") == "dense")
    }

    @Test func nestedSequentialKeys() throws {
        let file = try KerasModelFile(Fixtures.bytes("nested_sequential.keras"))
        #expect(try file.variables(at: "layers/sequential/layers/dense_1").map(\.shape) == [[8, 6], [6]])
    }

    @Test func mixedFloat16StoresFloat32() throws {
        let file = try KerasModelFile(Fixtures.bytes("mixed_float16.keras"))
        #expect(try file.variables(at: "layers/dense")[0].datatype == .float(bits: 32))
    }
}
