/// `map<string, InferParameter>` fields: on the wire a repeated entry message
/// `{1 key, 2 value}`, each entry written with both fields (as protobuf writes map entries).
extension ProtoReader {
    /// Reads one map entry into `parameters`; a later entry with the same key replaces the
    /// earlier one, as protobuf's parsers do. At most ``GRPCCoreLimits/maxParameters`` keys.
    public mutating func readParameterEntry(
        _ tag: ProtoTag, field: StaticString, into parameters: inout [String: InferParameter]
    ) throws(GRPCCoreError) {
        var entry = ParameterEntry()
        try mergeMessage(tag, field: field, index: parameters.count, into: &entry)
        guard parameters.count < limits.maxParameters || parameters[entry.key] != nil else {
            throw .invalid(path: "\(field)", expected: "at most \(limits.maxParameters) parameters")
        }
        parameters[entry.key] = entry.value
    }
}

extension ProtoWriter {
    /// Writes `parameters` as map entries sorted by the keys' UTF-8 bytes, so the output is
    /// deterministic. (upb's deterministic order differs only where one key is a prefix of
    /// another; protobuf C++'s is this one.)
    public mutating func writeParameters(_ fieldNumber: Int, _ parameters: [String: InferParameter]) {
        guard !parameters.isEmpty else { return }
        let keys = parameters.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for key in keys {
            writeLengthDelimited(fieldNumber) { entry in
                entry.writeStringElement(1, key)
                entry.writeMessage(2, parameters[key] ?? .unset)
            }
        }
    }
}

/// One entry of a parameters map while it is read.
struct ParameterEntry: ProtoMessage {
    static let protoName = "ParametersEntry"
    var key = ""
    var value = InferParameter.unset

    mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: key = try reader.readString(tag, field: "key")
            case 2: try reader.mergeMessage(tag, field: "value", into: &value)
            default: try reader.skipUnknown(tag)
            }
        }
    }

    func encode(to writer: inout ProtoWriter) {
        writer.writeStringElement(1, key)
        writer.writeMessage(2, value)
    }
}
