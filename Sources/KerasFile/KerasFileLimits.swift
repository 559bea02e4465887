/// Caps on what reading one model file may declare, allocate or walk. Every one is checked
/// before the work it bounds (or, for inflation, while inflating), and passing it is a
/// ``KerasFileError/overLimit(what:limit:)`` naming the cap.
public struct KerasFileLimits: Sendable, Equatable {
    /// Members of a zip archive (central directory entries). Default 16: a `.keras` file has 3.
    public var maxZipMembers: Int
    /// Bytes of `config.json` (inflated). Default 16 MiB (Keras itself inflated 512 MiB).
    public var maxConfigBytes: Int
    /// Bytes of `metadata.json` (inflated). Default 64 KiB (Keras writes about 80 bytes).
    public var maxMetadataBytes: Int
    /// Bytes of `model.weights.h5` when it is deflated and must be inflated. Default 1 GiB;
    /// a stored member is a slice of the upload and costs no memory.
    public var maxWeightsBytes: Int
    /// HDF5 structures one lookup may visit: object headers, continuation blocks, B-tree
    /// nodes, symbol-table nodes. Default 4096 (a 40-layer model's lookup visits about 10).
    public var maxHDF5Nodes: Int
    /// Entries (links) one HDF5 group may list. Default 4096.
    public var maxGroupEntries: Int
    /// Elements one dataset or attribute may hold when its values are read. Default
    /// 1 << 28 (1 GiB of float32), far above the service's own parameter cap.
    public var maxElements: Int
    /// Bytes of one attribute's value, strings included (legacy `model_config`). Default 16 MiB.
    public var maxAttributeBytes: Int

    public init(
        maxZipMembers: Int = 16, maxConfigBytes: Int = 16 << 20, maxMetadataBytes: Int = 64 << 10,
        maxWeightsBytes: Int = 1 << 30, maxHDF5Nodes: Int = 4096, maxGroupEntries: Int = 4096,
        maxElements: Int = 1 << 28, maxAttributeBytes: Int = 16 << 20
    ) {
        self.maxZipMembers = maxZipMembers
        self.maxConfigBytes = maxConfigBytes
        self.maxMetadataBytes = maxMetadataBytes
        self.maxWeightsBytes = maxWeightsBytes
        self.maxHDF5Nodes = maxHDF5Nodes
        self.maxGroupEntries = maxGroupEntries
        self.maxElements = maxElements
        self.maxAttributeBytes = maxAttributeBytes
    }
}
