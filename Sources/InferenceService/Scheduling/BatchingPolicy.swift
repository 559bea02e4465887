import TensorJSON

/// How concurrent requests to one registered model (and version) are combined into one
/// forward pass.
///
/// Requests whose inputs have the model's input width are concatenated along rows (the
/// leading axes flattened) up to `maxBatchRows` rows, waiting at most
/// `maxQueueDelayMicroseconds` after the first one arrives. Rows are independent in a Dense
/// stack, so each caller gets exactly the rows it would get alone.
public struct BatchingPolicy: Sendable, Equatable {
    /// Whether requests are batched at all; off runs each request on its own.
    public var enabled: Bool
    /// Most rows in one batched forward pass; a single request with at least this many rows
    /// runs alone. Limit: 1 to ``BatchingPolicy/maxRowsLimit``.
    public var maxBatchRows: Int
    /// Longest wait, in microseconds, for more requests after the first one is queued.
    /// Limit: 0 to ``BatchingPolicy/maxDelayLimit`` (1 s).
    public var maxQueueDelayMicroseconds: Int

    public static let maxRowsLimit = 1 << 20
    public static let maxDelayLimit = 1_000_000

    /// On, up to 256 rows, 100 µs.
    public static let `default` = BatchingPolicy(enabled: true, maxBatchRows: 256, maxQueueDelayMicroseconds: 100)

    public init(enabled: Bool, maxBatchRows: Int, maxQueueDelayMicroseconds: Int) {
        self.enabled = enabled
        self.maxBatchRows = maxBatchRows
        self.maxQueueDelayMicroseconds = maxQueueDelayMicroseconds
    }

    /// Writes `{"enabled", "max_batch_rows", "max_queue_delay_us"}`.
    func write(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.write(enabled, forKey: "enabled")
        writer.write(maxBatchRows, forKey: "max_batch_rows")
        writer.write(maxQueueDelayMicroseconds, forKey: "max_queue_delay_us")
        writer.endObject()
    }
}

/// A registered model's own batching settings (the `batching` object of its PUT body);
/// a field left out follows the server's ``BatchingPolicy``.
public struct BatchingOverrides: Sendable, Equatable {
    public var enabled: Bool?
    public var maxBatchRows: Int?
    public var maxQueueDelayMicroseconds: Int?

    public init(enabled: Bool? = nil, maxBatchRows: Int? = nil, maxQueueDelayMicroseconds: Int? = nil) {
        self.enabled = enabled
        self.maxBatchRows = maxBatchRows
        self.maxQueueDelayMicroseconds = maxQueueDelayMicroseconds
    }

    /// `base` with these overrides applied.
    public func applied(to base: BatchingPolicy) -> BatchingPolicy {
        BatchingPolicy(
            enabled: enabled ?? base.enabled, maxBatchRows: maxBatchRows ?? base.maxBatchRows,
            maxQueueDelayMicroseconds: maxQueueDelayMicroseconds ?? base.maxQueueDelayMicroseconds)
    }

    /// Reads `{"enabled": bool, "max_batch_rows": int, "max_queue_delay_us": int}` (each optional).
    static func decode(_ value: JSONValue, field: String) throws(ServiceError) -> BatchingOverrides {
        guard case .object(let object) = value else {
            throw .badRequest(
                field: field, expected: "an object {\"enabled\", \"max_batch_rows\", \"max_queue_delay_us\"}, got \(value.typeName)")
        }
        var result = BatchingOverrides()
        for (key, item) in object {
            switch key {
            case "enabled":
                guard let flag = item.boolValue else { throw .badRequest(field: "\(field).enabled", expected: "true or false") }
                result.enabled = flag
            case "max_batch_rows":
                guard let rows = item.intValue, (1...BatchingPolicy.maxRowsLimit).contains(rows) else {
                    throw .badRequest(field: "\(field).max_batch_rows", expected: "an integer from 1 to \(BatchingPolicy.maxRowsLimit)")
                }
                result.maxBatchRows = rows
            case "max_queue_delay_us":
                guard let delay = item.intValue, (0...BatchingPolicy.maxDelayLimit).contains(delay) else {
                    throw .badRequest(
                        field: "\(field).max_queue_delay_us",
                        expected: "an integer from 0 to \(BatchingPolicy.maxDelayLimit) (microseconds)")
                }
                result.maxQueueDelayMicroseconds = delay
            default:
                throw .badRequest(field: "\(field).\(key)", expected: "only enabled, max_batch_rows, max_queue_delay_us")
            }
        }
        return result
    }

    var isEmpty: Bool { enabled == nil && maxBatchRows == nil && maxQueueDelayMicroseconds == nil }

    /// Writes the fields that are set.
    func write(into writer: inout JSONWriter) {
        writer.beginObject()
        if let enabled {
            writer.write(enabled, forKey: "enabled")
        }
        if let maxBatchRows {
            writer.write(maxBatchRows, forKey: "max_batch_rows")
        }
        if let maxQueueDelayMicroseconds {
            writer.write(maxQueueDelayMicroseconds, forKey: "max_queue_delay_us")
        }
        writer.endObject()
    }
}

/// One forward pass of a registered model, reported to ``APIConfiguration/batchObserver``:
/// how many requests it combined and how many rows it ran.
public struct BatchObservation: Sendable, Equatable {
    public var model: String
    public var version: Int
    public var requests: Int
    public var rows: Int
}

/// Forward passes of registered models added up (``InferenceAPI/batchTotals``).
public struct BatchTotals: Sendable, Equatable {
    public var passes: Int
    public var requests: Int
    public var rows: Int
}
