import DenseKernel
import Synchronization
import TensorJSON

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One stored version of a registered model.
public struct RegisteredModel: Sendable {
    public var name: String
    public var version: Int
    public var model: DenseModel
    /// Seconds since 1970 when this version was stored.
    public var createdAt: Double
    /// Encoded `model` response sections by symbolic input shape: a registered model's
    /// shapes, parameters and summary are the same for every request of that shape.
    let sectionCache = ModelSectionCache()
    /// The weights' digest, computed on first use (hashing 64 Mi parameters takes a while).
    private let digest = LazyDigest()

    /// ``WeightsDigest`` of the weights: `sha256:<hex>`.
    public var weightsDigest: String { digest.value { WeightsDigest.of(model) } }

    public init(name: String, version: Int, model: DenseModel, createdAt: Double, batching: BatchingOverrides? = nil) {
        self.batching = batching
        self.name = name
        self.version = version
        self.model = model
        self.createdAt = createdAt
    }

    /// The model's own batching settings (the PUT body's `batching`); nil follows the server.
    public var batching: BatchingOverrides? = nil

    /// The symbolic input shape reported in metadata: the declared one, else `[null, in]`.
    public var inputShape: [Int?] { model.declaredInputShape ?? [nil, model.inputDim] }

    /// The encoded `model` section for a symbolic input shape (cached).
    func modelSection(for shape: [Int?], description: () throws(DenseError) -> ModelDescription) throws(DenseError) -> [UInt8] {
        if let cached = sectionCache.get(shape) { return cached }
        var writer = JSONWriter()
        ResponseEncoder.writeModel(try description(), into: &writer)
        sectionCache.put(shape, writer.bytes)
        return writer.bytes
    }

    /// Shapes, parameters and summary for the model's declared input shape. A registered
    /// model's layers chain and its shape was checked at PUT, so this fails only for a stored
    /// file edited by hand; the caller answers that as an error rather than trapping.
    public func describe() throws(ServiceError) -> ModelDescription {
        do { return try model.describe(inputShape: inputShape) } catch { throw .dense(error) }
    }

    /// Records the weights' digest where it was computed anyway (hashed while the store file
    /// was written or read), so ``weightsDigest`` never hashes the weights again.
    func knowWeightsDigest(_ value: String) { digest.set(value) }
}

/// A small bounded map from symbolic input shape to encoded JSON (shared by copies of a
/// ``RegisteredModel``).
final class ModelSectionCache: Sendable {
    private let entries = Mutex<[[Int?]: [UInt8]]>([:])
    private let capacity = 32

    func get(_ shape: [Int?]) -> [UInt8]? { entries.withLock { $0[shape] } }

    func put(_ shape: [Int?], _ bytes: [UInt8]) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries[shape] = bytes
        }
    }
}

/// A digest computed once and shared by copies of a ``RegisteredModel``.
final class LazyDigest: Sendable {
    private let stored = Mutex<String?>(nil)

    func set(_ value: String) { stored.withLock { $0 = value } }

    func value(_ make: () -> String) -> String {
        if let known = stored.withLock({ $0 }) { return known }
        let made = make()
        stored.withLock { $0 = made }
        return made
    }
}
