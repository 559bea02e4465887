import Foundation
import GRPCCore

/// The golden messages serialized by real protobuf (Fixtures/make_golden.py) and their
/// manifest.
enum Golden {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ name: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data())
    }

    /// One `files` entry of the manifest.
    struct Entry: Sendable, CustomStringConvertible {
        var file: String
        var message: String
        var value: Canon
        var encodesTo: String?
        var description: String { file }
    }

    static let entries: [Entry] = {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("manifest.json").path),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let files = root["files"] as? [String: [String: Any]]
        else { return [] }
        return files.keys.sorted().map { file in
            let entry = files[file] ?? [:]
            return Entry(
                file: file, message: entry["message"] as? String ?? "", value: Canon(json: entry["value"] ?? NSNull()),
                encodesTo: entry["encodes_to"] as? String)
        }
    }()

    /// Decodes `bytes` as the message type the manifest names: the canonical form of the
    /// result and its encoding.
    static func decode(_ message: String, _ bytes: [UInt8]) throws(GRPCCoreError) -> (Canon, [UInt8])? {
        func run<M: ProtoMessage & Canonical>(_ type: M.Type) throws(GRPCCoreError) -> (Canon, [UInt8]) {
            let decoded = try M(decoding: bytes)
            return (decoded.canon, decoded.encoded())
        }
        switch message {
        case "ServerLiveRequest": return try run(ServerLiveRequest.self)
        case "ServerLiveResponse": return try run(ServerLiveResponse.self)
        case "ServerReadyRequest": return try run(ServerReadyRequest.self)
        case "ServerReadyResponse": return try run(ServerReadyResponse.self)
        case "ModelReadyRequest": return try run(ModelReadyRequest.self)
        case "ModelReadyResponse": return try run(ModelReadyResponse.self)
        case "ServerMetadataRequest": return try run(ServerMetadataRequest.self)
        case "ServerMetadataResponse": return try run(ServerMetadataResponse.self)
        case "ModelMetadataRequest": return try run(ModelMetadataRequest.self)
        case "ModelMetadataResponse": return try run(ModelMetadataResponse.self)
        case "ModelInferRequest": return try run(ModelInferRequest.self)
        case "ModelInferResponse": return try run(ModelInferResponse.self)
        case "ModelConfigRequest": return try run(ModelConfigRequest.self)
        case "ModelConfigResponse": return try run(ModelConfigResponse.self)
        case "HealthCheckRequest": return try run(HealthCheckRequest.self)
        case "HealthCheckResponse": return try run(HealthCheckResponse.self)
        default: return nil
        }
    }
}

/// The manifest's canonical form of a message (see make_golden.py): objects of the modelled
/// fields, lists, and string leaves.
indirect enum Canon: Equatable, Sendable, CustomStringConvertible {
    case leaf(String)
    case list([Canon])
    case object([String: Canon])
    case null

    init(json: Any) {
        switch json {
        case let string as String: self = .leaf(string)
        case let array as [Any]: self = .list(array.map(Canon.init(json:)))
        case let object as [String: Any]: self = .object(object.mapValues(Canon.init(json:)))
        default: self = .null
        }
    }

    var description: String {
        switch self {
        case .leaf(let string): "\"\(string)\""
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let members): "{" + members.keys.sorted().map { "\($0): \(members[$0]!)" }.joined(separator: ", ") + "}"
        case .null: "null"
        }
    }

    static func of(_ value: String) -> Canon { .leaf(value) }
    static func of(_ value: Bool) -> Canon { .leaf(value ? "true" : "false") }
    static func of(_ value: some BinaryInteger) -> Canon { .leaf(String(value)) }
    static func of(_ value: Float) -> Canon { .leaf(hex(UInt64(value.bitPattern), digits: 8)) }
    static func of(_ value: Double) -> Canon { .leaf(hex(value.bitPattern, digits: 16)) }
    static func of(_ value: ArraySlice<UInt8>) -> Canon { .leaf(value.map { hex(UInt64($0), digits: 2) }.joined()) }
    static func of<T>(_ values: [T], _ each: (T) -> Canon) -> Canon { .list(values.map(each)) }
    static func of(_ message: (some Canonical)?) -> Canon { message?.canon ?? .null }
    static func of(_ parameters: [String: InferParameter]) -> Canon { .object(parameters.mapValues(\.canon)) }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// A message's canonical form, as make_golden.py writes it.
protocol Canonical { var canon: Canon { get } }

extension EmptyRequest: Canonical { var canon: Canon { .object([:]) } }
extension FlagResponse: Canonical { var canon: Canon { .object(["\(RPC.flagName)": .of(value)]) } }
extension ModelRequest: Canonical { var canon: Canon { .object(["name": .of(name), "version": .of(version)]) } }
extension HealthCheckRequest: Canonical { var canon: Canon { .object(["service": .of(service)]) } }
extension HealthCheckResponse: Canonical { var canon: Canon { .object(["status": .of(status.rawValue)]) } }

extension ServerMetadataResponse: Canonical {
    var canon: Canon { .object(["name": .of(name), "version": .of(version), "extensions": .of(extensions, Canon.of)]) }
}

extension ModelMetadataResponse: Canonical {
    var canon: Canon {
        .object([
            "name": .of(name), "versions": .of(versions, Canon.of), "platform": .of(platform),
            "inputs": .of(inputs, \.canon), "outputs": .of(outputs, \.canon),
        ])
    }
}

extension ModelMetadataResponse.TensorMetadata: Canonical {
    var canon: Canon { .object(["name": .of(name), "datatype": .of(datatype), "shape": .of(shape, Canon.of)]) }
}

extension InferParameter: Canonical {
    var canon: Canon {
        switch self {
        case .unset: .object([:])
        case .bool(let value): .object(["bool_param": .of(value)])
        case .int64(let value): .object(["int64_param": .of(value)])
        case .string(let value): .object(["string_param": .of(value)])
        case .double(let value): .object(["double_param": .of(value)])
        case .uint64(let value): .object(["uint64_param": .of(value)])
        }
    }
}

extension InferTensorContents: Canonical {
    var canon: Canon {
        .object([
            "bool_contents": .of(boolContents, Canon.of), "int_contents": .of(intContents, Canon.of),
            "int64_contents": .of(int64Contents, Canon.of), "uint_contents": .of(uintContents, Canon.of),
            "uint64_contents": .of(uint64Contents, Canon.of), "fp32_contents": .of(fp32Contents, Canon.of),
            "fp64_contents": .of(fp64Contents, Canon.of), "bytes_contents": .of(bytesContents, Canon.of),
        ])
    }
}

extension ModelInferRequest: Canonical {
    var canon: Canon {
        .object([
            "model_name": .of(modelName), "model_version": .of(modelVersion), "id": .of(id), "parameters": .of(parameters),
            "inputs": .of(inputs, \.canon), "outputs": .of(outputs, \.canon),
            "raw_input_contents": .of(rawInputContents, Canon.of),
        ])
    }
}

extension InferTensor: Canonical {
    var canon: Canon {
        .object([
            "name": .of(name), "datatype": .of(datatype), "shape": .of(shape, Canon.of), "parameters": .of(parameters),
            "contents": .of(contents),
        ])
    }
}

extension ModelInferRequest.InferRequestedOutputTensor: Canonical {
    var canon: Canon { .object(["name": .of(name), "parameters": .of(parameters)]) }
}

extension ModelInferResponse: Canonical {
    var canon: Canon {
        .object([
            "model_name": .of(modelName), "model_version": .of(modelVersion), "id": .of(id), "parameters": .of(parameters),
            "outputs": .of(outputs, \.canon), "raw_output_contents": .of(rawOutputContents, Canon.of),
        ])
    }
}

extension ModelConfigResponse: Canonical { var canon: Canon { .object(["config": .of(config)]) } }

extension ModelConfig: Canonical {
    var canon: Canon {
        .object([
            "name": .of(name), "platform": .of(platform), "max_batch_size": .of(maxBatchSize), "input": .of(input, \.canon),
            "output": .of(output, \.canon), "dynamic_batching": .of(dynamicBatching), "backend": .of(backend),
        ])
    }
}

extension ModelInput: Canonical {
    var canon: Canon {
        .object([
            "name": .of(name), "data_type": .of(dataType.rawValue), "format": .of(format.rawValue), "dims": .of(dims, Canon.of),
        ])
    }
}

extension ModelOutput: Canonical {
    var canon: Canon { .object(["name": .of(name), "data_type": .of(dataType.rawValue), "dims": .of(dims, Canon.of)]) }
}

extension ModelDynamicBatching: Canonical {
    var canon: Canon {
        .object([
            "preferred_batch_size": .of(preferredBatchSize, Canon.of),
            "max_queue_delay_microseconds": .of(maxQueueDelayMicroseconds),
        ])
    }
}
