import Foundation
@_spi(Fuzzing) import KerasFile
import TensorJSON

/// The fixtures made by real Keras (Fixtures/make_keras_fixtures.py) and their manifest.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ name: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data())
    }

    /// The manifest, parsed by TensorJSON (correctly rounded doubles, which the exact sums
    /// need), as Foundation values: numbers are `NSNumber`, so `as? Int` and `as? Double` work.
    nonisolated(unsafe) static let manifest: [String: Any] = {
        let limits = JSONLimits(maxDepth: 64, maxStringBytes: 1 << 24, maxElements: 1 << 24, maxObjectKeys: 1 << 16)
        guard let value = try? JSONParser.parse(bytes("manifest.json"), limits: limits) else { return [:] }
        return foundation(value) as? [String: Any] ?? [:]
    }()

    static func foundation(_ value: JSONValue) -> Any {
        switch value {
        case .null: NSNull()
        case .bool(let b): b
        case .number(let d): NSNumber(value: d)
        case .string(let s): s
        case .numbers(let ds): ds.map { NSNumber(value: $0) }
        case .array(let vs): vs.map(foundation)
        case .object(let o): Dictionary(o.members.map { ($0.key, foundation($0.value)) }, uniquingKeysWith: { a, _ in a })
        }
    }

    static var files: [String: [String: Any]] { manifest["files"] as? [String: [String: Any]] ?? [:] }

    /// File names whose manifest entry has `expect` equal to `expect`, sorted.
    static func names(expect: String) -> [String] {
        files.filter { $0.value["expect"] as? String == expect }.map(\.key).sorted()
    }

    static func entry(_ name: String) -> [String: Any] { files[name] ?? [:] }
}

/// numpy's dtype string for a datatype (`<f4`, `<i8`, `|S4`).
func numpyName(_ type: HDF5Datatype) -> String {
    switch type {
    case .float(let bits): "<f\(bits / 8)"
    case .integer(let bytes, let signed): bytes == 1 ? "|\(signed ? "i" : "u")1" : "<\(signed ? "i" : "u")\(bytes)"
    case .fixedString(let length): "|S\(length)"
    case .variableString: "|O"
    case .opaque(let size): "|V\(size)"
    case .other(_, let size): "other\(size)"
    }
}

/// Every weight dataset the service would read, by layout: Keras 3 `layers/*/vars` (nested
/// `layers/*/layers/*` too) or the legacy `layer_names` → `weight_names`; with `values`, read
/// as floats (so non-float weights throw).
func readWeights(_ file: KerasModelFile, values: Bool = true) throws(KerasFileError) -> [HDF5Dataset] {
    var result: [HDF5Dataset] = []
    switch file.layout {
    case .kerasArchive, .kerasWeights:
        func layers(_ prefix: String) throws(KerasFileError) {
            guard case .group(let group)? = try file.weights.node(at: prefix + "layers") else { return }
            for name in try group.childNames() {
                result += try file.variables(at: prefix + "layers/" + name)
                try layers(prefix + "layers/" + name + "/")
            }
        }
        try layers("")
    case .legacyModel, .legacyWeights:
        for name in try file.legacyLayerNames() { result += try file.legacyWeights(layerName: name) }
    }
    for dataset in result where values {
        switch dataset.datatype {
        case .float(64): _ = try dataset.readDoubles()
        default: _ = try dataset.readFloats()
        }
    }
    return result
}
