/// A model file as Keras writes it, told apart by its first bytes and opened strictly:
///
/// - `PK\3\4`: a Keras 3 `.keras` archive, a zip of `config.json`, `metadata.json` and
///   `model.weights.h5` (keras/src/saving/saving_lib.py). No other member is allowed.
/// - `\x89HDF\r\n\x1a\n`: an HDF5 file: a legacy `.h5` full model (root attribute
///   `model_config`, weights under `model_weights`; keras/src/legacy/saving/legacy_h5_format.py),
///   a legacy weights-only `.h5` (`layer_names` at the root: tf_keras `save_weights("x.h5")`),
///   or a `.weights.h5` (`layers/<class_key>/vars/<i>`, `save_weights("x.weights.h5")`).
///
/// This type reads formats only. It hands back the config JSON as bytes (parse it with a
/// strict JSON parser), and the weights as an ``HDF5File``; it never interprets the model.
public struct KerasModelFile: Sendable {
    /// Which of the files Keras writes this is, and so how its weights are keyed.
    public enum Layout: String, Sendable, Equatable {
        /// A Keras 3 `.keras` archive; weights keyed `layers/<class_key>/vars/<i>`.
        case kerasArchive
        /// A `.weights.h5` alone (Keras 3, or tf_keras): keyed as in the archive, no config.
        case kerasWeights
        /// A legacy `.h5` full model: `model_config` at the root, weights under
        /// `model_weights`, found through `layer_names` and each layer's `weight_names`.
        case legacyModel
        /// A legacy weights-only `.h5`: `layer_names` and the layer groups at the root.
        case legacyWeights
    }

    public let layout: Layout
    /// The model config JSON: `config.json` of an archive (a slice of the upload when
    /// stored), or the legacy root attribute `model_config`. nil for weights-only files.
    public let configJSON: ArraySlice<UInt8>?
    /// An archive's `metadata.json` (`{"keras_version", "date_saved"}`), unparsed; nil when
    /// absent or not an archive.
    public let metadataJSON: ArraySlice<UInt8>?
    /// The `keras_version` attribute of a legacy file (root, else `model_weights`); for an
    /// archive it is inside ``metadataJSON``.
    public let kerasVersion: String?
    /// The `backend` attribute of a legacy file (root, else `model_weights`).
    public let backend: String?
    /// The weights (an archive's `model.weights.h5`, or the file itself).
    public let weights: HDF5File

    /// The archive members allowed, and which must be there.
    public static let archiveMembers: Set<String> = ["config.json", "metadata.json", "model.weights.h5"]

    /// Opens `bytes` as one of the four layouts (see ``Layout``).
    /// - Throws: ``KerasFileError``: 400 when the bytes are none of them, a required member
    ///   or attribute is missing, or any structure is broken; 413 past `limits`; 422 for
    ///   valid files outside the subset (zip64, encryption, npz weights, sharded weights,
    ///   HDF5 `libver="latest"`).
    public init(_ bytes: [UInt8], limits: KerasFileLimits = KerasFileLimits()) throws(KerasFileError) {
        try self.init(bytes[...], limits: limits)
    }

    /// Opens a slice of a larger buffer (an HTTP body, say) without copying it.
    public init(_ bytes: ArraySlice<UInt8>, limits: KerasFileLimits = KerasFileLimits()) throws(KerasFileError) {
        if Self.startsLikeArchive(bytes) {
            self = try Self.archive(bytes, limits: limits)
        } else if bytes.starts(with: HDF5File.signature) {
            self = try Self.hdf5(HDF5File(bytes, limits: limits))
        } else if bytes.isEmpty {
            throw .malformed("empty model file; expected a .keras zip or an HDF5 file")
        } else if Self.looksLikeShardIndex(bytes) {
            throw .unsupported("a sharded weights index (.weights.json); expected a single .keras or .h5 file")
        } else {
            throw .malformed("neither a .keras zip (PK\\3\\4) nor an HDF5 file (\\x89HDF\\r\\n\\x1a\\n)")
        }
    }

    /// Whether `bytes` start like one of the files this type opens (a zip, with a local file
    /// header or, empty, its end record; or HDF5): what a caller tells a model file from JSON by.
    public static func startsLikeModelFile(_ bytes: ArraySlice<UInt8>) -> Bool {
        startsLikeArchive(bytes) || bytes.starts(with: HDF5File.signature)
    }

    static func startsLikeArchive(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06])
    }

    init(
        layout: Layout, configJSON: ArraySlice<UInt8>?, metadataJSON: ArraySlice<UInt8>?, kerasVersion: String?,
        backend: String?, weights: HDF5File
    ) {
        self.layout = layout
        self.configJSON = configJSON
        self.metadataJSON = metadataJSON
        self.kerasVersion = kerasVersion
        self.backend = backend
        self.weights = weights
    }

    /// A Keras 3 archive: allowlisted members, each under its cap.
    static func archive(_ bytes: ArraySlice<UInt8>, limits: KerasFileLimits) throws(KerasFileError) -> KerasModelFile {
        let zip = try ZipArchive(bytes, maxMembers: limits.maxZipMembers)
        for entry in zip.entries where !archiveMembers.contains(entry.name) {
            if entry.name.hasSuffix(".npz") { throw .unsupported("zip member \(entry.name): npz weights; expected model.weights.h5") }
            throw .malformed("unexpected zip member \(entry.name); a .keras file holds only \(archiveMembers.sorted())")
        }
        guard zip.entry(named: "config.json") != nil else { throw .malformed(".keras archive has no config.json") }
        guard zip.entry(named: "model.weights.h5") != nil else { throw .malformed(".keras archive has no model.weights.h5") }
        let config = try zip.contents(named: "config.json", cap: limits.maxConfigBytes)
        let metadata = try zip.entry(named: "metadata.json").map { (entry) throws(KerasFileError) in
            try zip.contents(of: entry, cap: limits.maxMetadataBytes)
        }
        let h5 = try zip.contents(named: "model.weights.h5", cap: limits.maxWeightsBytes)
        guard h5.starts(with: HDF5File.signature) else { throw .malformed("zip member model.weights.h5 is not an HDF5 file") }
        let weights = try HDF5File(h5, limits: limits)
        let children = try weights.root.childNames()
        guard children.contains("layers") || children.contains("vars") else {
            throw .malformed("model.weights.h5 has neither a layers nor a vars group (children \(children.prefix(8)))")
        }
        return KerasModelFile(
            layout: .kerasArchive, configJSON: config, metadataJSON: metadata, kerasVersion: nil, backend: nil, weights: weights)
    }

    /// An HDF5 file: which of the three HDF5 layouts, by its root's attributes and groups.
    static func hdf5(_ file: HDF5File) throws(KerasFileError) -> KerasModelFile {
        let root = try file.root
        let attributes = root.attributes
        let children = try root.childNames()
        if let config = try attributes.string("model_config") {
            guard children.contains("model_weights") else { throw .malformed("legacy .h5 model has no model_weights group") }
            let weights = try file.group(at: "model_weights").attributes
            // `??`'s autoclosure would erase the typed throw.
            var version = try attributes.string("keras_version")
            if version == nil { version = try weights.string("keras_version") }
            var backend = try attributes.string("backend")
            if backend == nil { backend = try weights.string("backend") }
            return KerasModelFile(
                layout: .legacyModel, configJSON: Array(config.utf8)[...], metadataJSON: nil, kerasVersion: version,
                backend: backend, weights: file)
        }
        if children.contains("model_weights") {
            throw .malformed("legacy .h5 file has model_weights but no root attribute model_config")
        }
        let names = try attributes.names()
        if names.contains("layer_names") || names.contains("layer_names0") {
            return KerasModelFile(
                layout: .legacyWeights, configJSON: nil, metadataJSON: nil, kerasVersion: try attributes.string("keras_version"),
                backend: try attributes.string("backend"), weights: file)
        }
        guard children.contains("layers") || children.contains("vars") else {
            throw .malformed("HDF5 file has no model_config, layer_names or layers group: not a Keras model or weights file")
        }
        return KerasModelFile(layout: .kerasWeights, configJSON: nil, metadataJSON: nil, kerasVersion: nil, backend: nil, weights: file)
    }

    /// A JSON object (after optional whitespace) naming a `weight_map` in its first 4 KiB:
    /// the index `save_weights(..., max_shard_size=)` writes beside its shards.
    static func looksLikeShardIndex(_ bytes: ArraySlice<UInt8>) -> Bool {
        let head = bytes.prefix(4096)
        guard head.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") else { return false }
        let key = Array("\"weight_map\"".utf8)
        return head.indices.contains { head[$0...].starts(with: key) }
    }
}
