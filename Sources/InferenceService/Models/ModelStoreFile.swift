import DenseKernel
import TensorJSON

/// The durable file of one stored model version (`<model_dir>/<name>/v<version>.model`):
/// a small JSON header, then the raw weights.
///
/// Layout (format_version 2; every integer little-endian):
///
/// | offset | bytes | what |
/// |---|---|---|
/// | 0 | 8 | magic `89 44 53 4D 0D 0A 1A 0A` (`\x89DSM\r\n\x1a\n`) |
/// | 8 | 8 | header length `H`, UInt64 |
/// | 16 | `H` | header: a JSON object (below) |
/// | 16 + H | 0–63 | zeros, so the weights start at `D`, the next multiple of 64 |
/// | `D` | `W` | the weights: every array of `get_weights()` in order, its elements row-major, little-endian in its dtype, nothing between |
/// | `D + W` | 32 | SHA-256 of the `W` weight bytes (the model's `weights_digest`) |
///
/// The file ends there: its size is exactly `D + W + 32`. The header holds what a version-1
/// file held except the weights: `format` (`"denseserve-model"`), `format_version` (2),
/// `name`, `version`, `created_at`, `model_name`, `input_layer_name`, `input_shape`,
/// `batching`, `layers` (each layer's config as in version 1, without `kernel`, `bias` or
/// `weights`); plus `weights`, a list of `{"shape", "dtype"}` in `get_weights()` order, and
/// `weights_bytes` (`W`).
///
/// Written in pieces (header, then each kernel unpacked from its ``PackedKernel`` a few rows
/// at a time, hashed as it goes): no buffer of the whole file, no row-major copy of a kernel.
/// Read strictly: every length and offset is overflow-checked against the file's size, every
/// array's shape and dtype against its layer's config before it is read, and the digest
/// against the bytes read; any mismatch is a ``ServiceError/storage(_:)`` naming it.
///
/// Version-1 files (`v<version>.json`: the whole model as JSON, weights as base64 tensors),
/// written before, are still read (``readVersion1(_:limits:)``); nothing writes them any more.
enum ModelStoreFile {
    static let magic: [UInt8] = [0x89, 0x44, 0x53, 0x4D, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Magic and header length.
    static let prefixBytes = 16
    static let digestBytes = 32
    /// The weights start at a multiple of this.
    static let weightsAlignment = 64
    /// The largest header read: the configs of `max_layers` layers fit in far less.
    static let maxHeaderBytes = 64 << 20

    // MARK: writing

    /// Writes `registered` as a version-2 file through `output`, in pieces; returns the
    /// weights digest (`sha256:<hex>`), hashed from the same bytes.
    static func write<E: Error>(
        _ registered: RegisteredModel, to output: (UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) -> String {
        let header = headerBytes(registered)
        var prefix = magic
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { prefix += $0 }
        try prefix.withBytes(output)
        try header.withBytes(output)
        let padding = [UInt8](repeating: 0, count: weightsOffset(headerBytes: header.count)! - prefixBytes - header.count)
        try padding.withBytes(output)
        var hasher = SHA256()
        try registered.model.forEachWeightChunk { chunk throws(E) in
            hasher.update(chunk)
            try output(chunk)
        }
        let digest = hasher.finish()
        try digest.withBytes(output)
        return WeightsDigest.hex(digest)
    }

    /// The whole file in memory (tests and the fuzzer's round trip; the store writes in pieces).
    static func bytes(_ registered: RegisteredModel) -> (file: [UInt8], digest: String) {
        var file: [UInt8] = []
        // Appending to memory cannot fail: the writer's error type is Never.
        let digest = write(registered) { (chunk: UnsafeRawBufferPointer) throws(Never) in file += chunk }
        return (file, digest)
    }

    /// Where the weights start after a header of `headerBytes`, or nil on overflow.
    static func weightsOffset(headerBytes: Int) -> Int? {
        let (end, overflow) = prefixBytes.addingReportingOverflow(headerBytes)
        guard !overflow, headerBytes >= 0, end <= Int.max - weightsAlignment else { return nil }
        return (end + weightsAlignment - 1) / weightsAlignment * weightsAlignment
    }

    static func headerBytes(_ registered: RegisteredModel) -> [UInt8] {
        let model = registered.model
        var writer = JSONWriter(capacity: 1024 + 256 * model.layers.count)
        writer.beginObject()
        writer.write("denseserve-model", forKey: "format")
        writer.write(2, forKey: "format_version")
        writer.write(registered.name, forKey: "name")
        writer.write(registered.version, forKey: "version")
        writer.write(registered.createdAt, forKey: "created_at")
        writer.write(model.name, forKey: "model_name")
        if let inputLayer = model.inputLayerName { writer.write(inputLayer, forKey: "input_layer_name") }
        if let declared = model.declaredInputShape {
            writer.writeKey("input_shape")
            ResponseEncoder.writeShape(declared, into: &writer)
        }
        if let batching = registered.batching, !batching.isEmpty {
            writer.writeKey("batching")
            batching.write(into: &writer)
        }
        writer.writeKey("layers")
        writer.beginArray()
        for layer in model.layers { writeLayer(layer, into: &writer) }
        writer.endArray()
        writer.writeKey("weights")
        writer.beginArray()
        var total = 0
        for array in model.weightArrays {
            writer.beginObject()
            writer.writeArray(array.shape, forKey: "shape")
            writer.write(array.dtype.rawValue, forKey: "dtype")
            writer.endObject()
            total += array.byteCount
        }
        writer.endArray()
        writer.write(total, forKey: "weights_bytes")
        writer.endObject()
        return writer.bytes
    }

    /// One layer's config: a Dense layer in the native form, the others as Keras layer objects
    /// (`class_name`, `config`); no weights (they follow the header).
    static func writeLayer(_ layer: ChainLayer, into writer: inout JSONWriter) {
        writer.beginObject()
        switch layer {
        case .dense(let dense):
            writer.write(dense.name, forKey: "name")
            writer.write(dense.units, forKey: "units")
            writer.write(dense.config.activation.kerasName, forKey: "activation")
            writer.write(dense.config.useBias, forKey: "use_bias")
            writer.write(dense.config.mixedFloat16 ? "mixed_float16" : dense.config.dtype.rawValue, forKey: "dtype")
            writer.write(dense.config.trainable, forKey: "trainable")
        case .elementwise(let element):
            writer.write(element.className, forKey: "class_name")
            writer.writeKey("config")
            writer.beginObject()
            writer.write(element.name, forKey: "name")
            writer.write(element.mixedFloat16 ? "mixed_float16" : element.dtype.rawValue, forKey: "dtype")
            switch element.function {
            case .identity: break
            case .activation(let activation):
                if element.className == "Activation" { writer.write(activation.kerasName, forKey: "activation") }
            case .leakyReLU(let slope): writer.write(slope, forKey: "negative_slope")
            case .elu(let alpha): writer.write(alpha, forKey: "alpha")
            case .relu(let maxValue, let slope, let threshold):
                if let maxValue { writer.write(maxValue, forKey: "max_value") }
                writer.write(slope, forKey: "negative_slope")
                writer.write(threshold, forKey: "threshold")
            }
            writer.endObject()
        case .normalization(let normalization):
            let config = normalization.config
            writer.write(config.kind.className, forKey: "class_name")
            writer.writeKey("config")
            writer.beginObject()
            writer.write(config.name, forKey: "name")
            writer.write(config.dtype.rawValue, forKey: "dtype")
            writer.write(config.trainable, forKey: "trainable")
            writer.write(config.epsilon, forKey: "epsilon")
            writer.write(config.center, forKey: "center")
            writer.write(config.scale, forKey: "scale")
            writer.endObject()
        case .reshape(let reshape):
            writer.write(reshape.className, forKey: "class_name")
            writer.writeKey("config")
            writer.beginObject()
            writer.write(reshape.name, forKey: "name")
            if reshape.className == "Reshape" {
                writer.writeArray(reshape.targetShape, forKey: "target_shape")
            }
            writer.endObject()
        }
        writer.endObject()
    }

    // MARK: reading

    /// Whether `prefix` (a file's first bytes) starts with the version-2 magic.
    static func hasMagic(_ prefix: some Collection<UInt8>) -> Bool { prefix.starts(with: magic) }

    /// Reads a version-2 file from `input`.
    /// - Throws: `.storage` naming what does not fit (magic, sizes, a shape or dtype against
    ///   its layer, the digest), and the model decoder's errors for the header's layers.
    static func read(_ input: some StoreFileInput, limits: ServiceLimits) throws(ServiceError) -> RegisteredModel {
        let size = input.byteCount
        guard size >= prefixBytes + digestBytes else { throw .storage("truncated: \(size) bytes, less than any model file") }
        var prefix = [UInt8](repeating: 0, count: prefixBytes)
        try prefix.withMutableBytes { buffer throws(ServiceError) in try input.read(into: buffer, at: 0) }
        guard hasMagic(prefix) else { throw .storage("not a DenseServe model file (bad magic)") }
        let declaredHeader = prefix[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard declaredHeader <= UInt64(maxHeaderBytes), let weightsStart = weightsOffset(headerBytes: Int(declaredHeader)),
            weightsStart <= size - digestBytes
        else {
            throw .storage("header length \(declaredHeader) does not fit a file of \(size) bytes")
        }
        let headerCount = Int(declaredHeader)
        var header = [UInt8](repeating: 0, count: weightsStart - prefixBytes)
        try header.withMutableBytes { buffer throws(ServiceError) in try input.read(into: buffer, at: prefixBytes) }
        guard header[headerCount...].allSatisfy({ $0 == 0 }) else { throw .storage("padding after the header is not zero") }
        header.removeLast(header.count - headerCount)

        var jsonLimits = limits.json
        jsonLimits.maxStringBytes = max(jsonLimits.maxStringBytes, headerCount)
        let value: JSONValue
        do { value = try JSONParser.parse(header, limits: jsonLimits) } catch { throw .storage("header: \(error)") }
        guard case .object(let object) = value else { throw .storage("header is not a JSON object") }
        guard object["format_version"]?.intValue == 2 else {
            throw .storage("format_version \(object["format_version"]?.excerpt ?? "missing"), expected 2")
        }
        guard case .array(let layers)? = object["layers"] else { throw .storage("header has no \"layers\" list") }
        for (index, layer) in layers.enumerated() {
            for key in ["kernel", "bias", "weights"] where layer[key] != nil {
                throw .storage("layers[\(index)] holds \"\(key)\": weights follow the header in a version-2 file")
            }
        }
        var stored = try StoredHeader(object, limits: limits, jsonLimits: jsonLimits)

        // The weights table: shapes and dtypes, offsets summed with overflow checks.
        guard case .array(let table)? = object["weights"] else { throw .storage("header has no \"weights\" list") }
        guard let declaredWeights = object["weights_bytes"]?.intValue, declaredWeights >= 0 else {
            throw .storage("header has no \"weights_bytes\"")
        }
        let (end, overflow) = weightsStart.addingReportingOverflow(declaredWeights)
        guard !overflow, end <= Int.max - digestBytes, end + digestBytes == size else {
            throw .storage(
                "weights_bytes \(declaredWeights) after a \(headerCount)-byte header needs \(weightsStart) + \(declaredWeights) + \(digestBytes) bytes; the file has \(size)"
            )
        }
        let reader = StoreWeightReader(input: input, start: weightsStart, end: end)
        var arrays: [StoreWeightArray] = []
        arrays.reserveCapacity(table.count)
        var offset = weightsStart
        for (index, entry) in table.enumerated() {
            let array = try StoreWeightArray(entry, index: index, offset: offset, reader: reader, limits: limits.dense)
            let (next, overflow) = offset.addingReportingOverflow(array.byteCount)
            guard !overflow, next <= end else {
                throw .storage(
                    "weights[\(index)] (\(array.byteCount) bytes at \(offset - weightsStart)) runs past weights_bytes \(declaredWeights)")
            }
            arrays.append(array)
            offset = next
        }
        guard offset == end else {
            throw .storage("the weights listed hold \(offset - weightsStart) bytes but weights_bytes is \(declaredWeights)")
        }

        // Each layer takes its arrays in order, checked against its config, then read.
        var remaining = arrays[...]
        for index in stored.spec.layers.indices {
            let layer = stored.spec.layers[index]
            let take = min(layer.weightCount, remaining.count)
            stored.spec.layers[index] = try KerasModelImport.filled(layer, Array(remaining.prefix(take)), limits: limits.dense)
            remaining = remaining.dropFirst(take)
        }
        guard remaining.isEmpty else { throw .storage("\(remaining.count) weight arrays left over after the last layer") }
        let digest = try reader.finish()
        let registered = try stored.registered(limits: limits)
        registered.knowWeightsDigest(digest)
        return registered
    }

    /// Reads a version-1 file (`v<version>.json`): the model body with its weights as exact
    /// base64 tensors, read back through ``ModelDecoder``.
    static func readVersion1(_ bytes: [UInt8], limits: ServiceLimits) throws(ServiceError) -> RegisteredModel {
        let value: JSONValue
        // The file holds each weight array as one base64 string, longer than any string a
        // request may send once a kernel passes 48 MiB; the file itself bounds it.
        var jsonLimits = limits.json
        jsonLimits.maxStringBytes = max(jsonLimits.maxStringBytes, bytes.count)
        do { value = try JSONParser.parse(bytes, limits: jsonLimits) } catch { throw .json(error) }
        guard case .object(let object) = value else {
            throw .badRequest(field: "format", expected: "\"denseserve-model\"")
        }
        return try StoredHeader(object, limits: limits, jsonLimits: jsonLimits).registered(limits: limits)
    }
}

/// What both file versions hold around the weights: the name, version, creation time,
/// batching and the layers decoded into a spec (with their weights in version 1, without in 2).
struct StoredHeader {
    var name: String
    var version: Int
    var createdAt: Double
    var batching: BatchingOverrides?
    var spec: ModelSpec

    init(_ object: JSONObject, limits: ServiceLimits, jsonLimits: JSONLimits) throws(ServiceError) {
        guard object["format"]?.stringValue == "denseserve-model" else {
            throw .badRequest(field: "format", expected: "\"denseserve-model\"")
        }
        guard let name = object["name"]?.stringValue, ModelName.isValid(name) else {
            throw .badRequest(field: "name", expected: "a valid model name")
        }
        guard let version = object["version"]?.intValue, version >= 1 else {
            throw .badRequest(field: "version", expected: "a positive integer")
        }
        guard case .array(let layers)? = object["layers"] else { throw .badRequest(field: "layers", expected: "a list") }
        let body = JSONObject([("layers", .array(layers))])
        var spec = try ModelDecoder.decode(body: body, limits: limits.dense, jsonLimits: jsonLimits)
        spec.name = object["model_name"]?.stringValue ?? "sequential"
        spec.inputLayerName = object["input_layer_name"]?.stringValue
        if let shape = object["input_shape"] {
            spec.declaredInputShape = try TensorDecoder.symbolicShape(shape, field: "input_shape")
        }
        // Files written before batching existed have no "batching" and follow the server.
        if let value = object["batching"] { batching = try BatchingOverrides.decode(value, field: "batching") }
        self.name = name
        self.version = version
        self.createdAt = object["created_at"]?.doubleValue ?? 0
        self.spec = spec
    }

    /// The model built from the spec (its weights all present).
    func registered(limits: ServiceLimits) throws(ServiceError) -> RegisteredModel {
        guard let inputDim = spec.knownInputDim else {
            throw .badRequest(field: "layers[0].kernel", expected: "stored weights")
        }
        let model: DenseModel
        do { model = try spec.materialize(inputDim: inputDim, limits: limits.dense) } catch { throw .dense(error) }
        return RegisteredModel(name: name, version: version, model: model, createdAt: createdAt, batching: batching)
    }
}

/// Random-access bytes of a store file: the file itself (``ModelStore``) or memory.
protocol StoreFileInput {
    var byteCount: Int { get }
    /// Fills `buffer` with the bytes at `offset` (in range: the reader checks first).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(ServiceError)
}

/// A store file in memory.
struct StoreFileBytes: StoreFileInput {
    var bytes: [UInt8]
    var byteCount: Int { bytes.count }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(ServiceError) {
        guard !buffer.isEmpty else { return }
        guard offset >= 0, offset <= bytes.count, buffer.count <= bytes.count - offset else {
            throw .storage("read of \(buffer.count) bytes at \(offset) outside \(bytes.count)")
        }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + buffer.count)]))
        }
    }
}

/// Reads the weights section front to back, hashing every byte, and checks the digest after.
final class StoreWeightReader {
    private let input: any StoreFileInput
    private var next: Int
    private let end: Int
    private var hasher = SHA256()

    init(input: some StoreFileInput, start: Int, end: Int) {
        self.input = input
        self.next = start
        self.end = end
    }

    /// The `count` elements of `dtype` at `offset`, which must be where the last read ended.
    func read(offset: Int, count: Int, dtype: DType) throws(ServiceError) -> TensorStorage {
        let bytes = count * dtype.byteSize  // checked against the file when the table was read
        guard offset == next, bytes <= end - next else {
            throw .storage("weights read out of order at \(offset) (next is \(next))")
        }
        var failure: ServiceError?
        func fill(_ buffer: UnsafeMutableRawBufferPointer) {
            do throws(ServiceError) {
                try input.read(into: buffer, at: offset)
                hasher.update(UnsafeRawBufferPointer(buffer))
            } catch {
                failure = error
            }
        }
        let storage: TensorStorage
        switch dtype {
        case .float32:
            storage = .float32(
                [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    fill(UnsafeMutableRawBufferPointer(buffer))
                    initialized = count
                })
        case .float64:
            storage = .float64(
                [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
                    fill(UnsafeMutableRawBufferPointer(buffer))
                    initialized = count
                })
        }
        if let failure { throw failure }
        next += bytes
        return storage
    }

    /// After every array: the weights were read to the end and their SHA-256 is the one the
    /// file ends with. Returns it as `sha256:<hex>`.
    func finish() throws(ServiceError) -> String {
        guard next == end else { throw .storage("\(end - next) weight bytes were never read") }
        var stored = [UInt8](repeating: 0, count: ModelStoreFile.digestBytes)
        try stored.withMutableBytes { buffer throws(ServiceError) in try input.read(into: buffer, at: end) }
        let computed = hasher.finish()
        guard computed == stored else {
            throw .storage(
                "the weights' SHA-256 is \(WeightsDigest.hex(computed)) but the file records \(WeightsDigest.hex(stored)): the file is corrupt"
            )
        }
        return WeightsDigest.hex(computed)
    }
}

/// One entry of a version-2 header's `weights` list, read only when its layer asks.
struct StoreWeightArray: StoredWeightArray {
    let shape: [Int]
    let dtype: DType
    let elementCount: Int
    let byteCount: Int
    let offset: Int
    let index: Int
    let reader: StoreWeightReader

    var location: String { "weights[\(index)]" }

    init(_ entry: JSONValue, index: Int, offset: Int, reader: StoreWeightReader, limits: DenseLimits) throws(ServiceError) {
        guard case .object(let object) = entry, let dimensions = object["shape"]?.arrayValue,
            let dtype = object["dtype"]?.stringValue.flatMap(DType.init(rawValue:))
        else {
            throw .storage("weights[\(index)] is not {\"shape\": [...], \"dtype\": \"float32\" or \"float64\"}")
        }
        let written = "[" + dimensions.map(\.excerpt).joined(separator: ", ") + "]"
        var shape: [Int] = []
        var count = 1
        for dimension in dimensions {
            guard let size = dimension.intValue, size >= 0, shape.count < 2 else {
                throw .storage("weights[\(index)] shape \(written) is not one or two sizes")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= limits.maxElements else {
                throw .storage("weights[\(index)] shape \(written) is over max_elements \(limits.maxElements)")
            }
            shape.append(size)
            count = product
        }
        guard !shape.isEmpty else { throw .storage("weights[\(index)] has an empty shape") }
        self.shape = shape
        self.dtype = dtype
        self.elementCount = count
        self.byteCount = count * dtype.byteSize  // ≤ max_elements · 8
        self.offset = offset
        self.index = index
        self.reader = reader
    }

    func read(dtype wanted: DType, maxElements: Int) throws(ServiceError) -> TensorStorage {
        guard wanted == dtype else {
            throw .storage("\(location) is \(dtype.rawValue) but its layer computes in \(wanted.rawValue)")
        }
        return try reader.read(offset: offset, count: elementCount, dtype: dtype)
    }
}
