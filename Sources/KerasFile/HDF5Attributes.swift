/// The attributes of one HDF5 group or dataset (attribute messages, §IV.A.2.m, versions
/// 1–3, stored in the object header). Dense attribute storage (a fractal heap, §IV.A.2.v)
/// is unsupported.
public struct HDF5Attributes: Sendable {
    let file: HDF5File
    let header: HDF5ObjectHeader
    /// Names the object in messages (`HDF5 group /model_weights`).
    let owner: String

    /// The attribute names, in header order.
    public func names() throws(KerasFileError) -> [String] {
        try all().map(\.name)
    }

    /// The attribute called `name`, if there is one.
    public func attribute(named name: String) throws(KerasFileError) -> HDF5Attribute? {
        try all().first { $0.name == name }
    }

    /// A string attribute with exactly one element (a scalar, or a list of one), such as
    /// `model_config`, `keras_version`, `backend` or `name`; nil when absent.
    /// - Throws: 422 when it is not a string; 400 when it holds other than one element.
    public func string(_ name: String) throws(KerasFileError) -> String? {
        guard let attribute = try attribute(named: name) else { return nil }
        let values = try attribute.strings()
        guard values.count == 1 else {
            throw .malformed("attribute \(name) of \(owner) holds \(values.count) strings; expected one")
        }
        return values[0]
    }

    /// A string-list attribute (`layer_names`, `weight_names`); nil when absent.
    public func strings(_ name: String) throws(KerasFileError) -> [String]? {
        try attribute(named: name)?.strings()
    }

    /// A string list that Keras may have split because it passed the 64 KiB an object header
    /// message can hold: the attribute `name`, or else `name0`, `name1`, … joined in order, as
    /// Keras's `load_attributes_from_hdf5_group` (keras/src/legacy/saving/legacy_h5_format.py)
    /// reads them. nil when neither `name` nor `name0` exists.
    public func joinedStrings(_ name: String) throws(KerasFileError) -> [String]? {
        let attributes = try all()
        if let whole = attributes.first(where: { $0.name == name }) { return try whole.strings() }
        var joined: [String] = []
        var chunk = 0
        while let part = attributes.first(where: { $0.name == "\(name)\(chunk)" }) {
            joined += try part.strings()
            chunk += 1
        }
        return chunk == 0 ? nil : joined
    }

    /// Every attribute message, parsed (names, types and shapes; values stay in the file).
    func all() throws(KerasFileError) -> [HDF5Attribute] {
        if let info = header.first(HDF5ObjectHeader.Kind.attributeInfo) {
            let view = file.body(info)
            let flags = try view.u8(1, "\(owner) attribute info")
            if try file.address(in: view, 2 + (flags & 1 != 0 ? 2 : 0), "\(owner) attribute info") != nil {
                throw .unsupported("\(owner) stores attributes densely (fractal heap); expected attribute messages")
            }
        }
        var result: [HDF5Attribute] = []
        for message in header.all(HDF5ObjectHeader.Kind.attribute) {
            result.append(try HDF5Attribute(file: file, message: message, owner: owner))
        }
        return result
    }
}
