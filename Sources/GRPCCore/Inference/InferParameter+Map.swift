/// `map<string, InferParameter>` fields: on the wire a repeated entry message
/// `{1 key, 2 value}`, each entry written with both fields (as protobuf writes map entries).
extension ProtoFieldVisitor {
    /// A `map<string, InferParameter>` field. Read, a later entry with the same key replaces
    /// the earlier one, as protobuf's parsers do, and at most ``GRPCCoreLimits/maxParameters``
    /// keys are kept; written, entries are sorted by the keys' UTF-8 bytes, so the output is
    /// deterministic. (upb's deterministic order differs only where one key is a prefix of
    /// another; protobuf C++'s is this one.)
    public mutating func parameters(
        _ number: Int, _ name: StaticString, _ parameters: inout [String: InferParameter]
    ) throws(Failure) {
        try field(number, &parameters) { parameters, tag, reader throws(GRPCCoreError) in
            var entry = ParameterEntry()
            try reader.mergeMessage(tag, field: name, index: parameters.count, into: &entry)
            guard parameters.count < reader.limits.maxParameters || parameters[entry.key] != nil else {
                throw .invalid(path: "\(name)", expected: "at most \(reader.limits.maxParameters) parameters")
            }
            parameters[entry.key] = entry.value
        } write: { parameters, writer in
            let keys = parameters.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for key in keys {
                writer.writeLengthDelimited(number) { entry in
                    entry.writeStringElement(1, key)
                    entry.writeMessage(2, parameters[key] ?? .unset)
                }
            }
        }
    }
}

/// One entry of a parameters map while it is read.
struct ParameterEntry: ProtoFieldMessage {
    static let protoName = "ParametersEntry"
    var key = ""
    var value = InferParameter.unset

    mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.string(1, "key", &key)
        // Always present in an entry, so not optional.
        try fields.field(2, &value) { value, tag, reader throws(GRPCCoreError) in
            try reader.mergeMessage(tag, field: "value", into: &value)
        } write: {
            $1.writeMessage(2, $0)
        }
    }
}
