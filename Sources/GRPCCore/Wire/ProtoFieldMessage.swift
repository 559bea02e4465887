/// A message whose fields are listed once, in ``visitFields(_:)``, for reading and writing
/// alike: ``ProtoMessage/merge(from:)`` and ``ProtoMessage/encode(to:)`` come from that
/// list, so the decoder and the encoder of a message cannot drift apart.
///
/// Reading visits the list once per field on the wire and runs the reader of the entry with
/// that field number (none: the field is skipped as unknown); writing runs every entry's
/// writer in the list's order, which is field-number order.
public protocol ProtoFieldMessage: ProtoMessage {
    /// Visits every field of the message in field-number order.
    mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure)
}

extension ProtoFieldMessage {
    /// Reads fields until the end of `reader`; a field no entry claims is skipped.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            var fields = ProtoFieldReader(reader: reader, tag: tag)
            try visitFields(&fields)
            reader = fields.reader
            if !fields.found { try reader.skipUnknown(tag) }
        }
    }

    /// Writes the fields in field-number order.
    public func encode(to writer: inout ProtoWriter) {
        // Swapped in and out, so the buffer has one owner and is appended to in place.
        var fields = ProtoFieldWriter()
        swap(&fields.writer, &writer)
        var message = self
        message.visitFields(&fields)
        swap(&fields.writer, &writer)
    }
}

/// Reads the one field whose tag was just read.
struct ProtoFieldReader: ProtoFieldVisitor {
    var reader: ProtoReader
    let tag: ProtoTag
    /// True once an entry has claimed the field.
    var found = false

    mutating func field<Value>(
        _ number: Int, _ value: inout Value, read: (inout Value, ProtoTag, inout ProtoReader) throws(GRPCCoreError) -> Void,
        write: (Value, inout ProtoWriter) -> Void
    ) throws(GRPCCoreError) {
        guard tag.fieldNumber == number else { return }
        found = true
        try read(&value, tag, &reader)
    }
}

/// Writes every field.
struct ProtoFieldWriter: ProtoFieldVisitor {
    var writer = ProtoWriter()

    mutating func field<Value>(
        _ number: Int, _ value: inout Value, read: (inout Value, ProtoTag, inout ProtoReader) throws(GRPCCoreError) -> Void,
        write: (Value, inout ProtoWriter) -> Void
    ) {
        write(value, &writer)
    }
}
