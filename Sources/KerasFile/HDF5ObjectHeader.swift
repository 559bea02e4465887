/// The messages of one version 1 object header (§IV.A.1.a), gathered across its
/// continuation blocks (§IV.A.2.q). Message bodies are ranges into the file.
struct HDF5ObjectHeader: Sendable {
    struct Message: Sendable {
        let type: Int
        let flags: UInt8
        let body: Range<Int>
    }

    /// Message types this reader knows (§IV.A.2).
    enum Kind {
        static let dataspace = 0x0001
        static let linkInfo = 0x0002
        static let datatype = 0x0003
        static let layout = 0x0008
        static let groupInfo = 0x000A
        static let filterPipeline = 0x000B
        static let attribute = 0x000C
        static let link = 0x0006
        static let continuation = 0x0010
        static let symbolTable = 0x0011
        static let attributeInfo = 0x0015
    }

    let address: Int
    let messages: [Message]

    func first(_ type: Int) -> Message? { messages.first { $0.type == type } }
    func all(_ type: Int) -> [Message] { messages.filter { $0.type == type } }
}

extension HDF5File {
    /// Reads the object header at `address` and the messages of all its continuation blocks.
    /// - Throws: 422 for a version 2 header (`OHDR`); 400 when a block or message runs past
    ///   its bounds or a continuation loops; 413 when the lookup's budget runs out.
    func objectHeader(at address: Int, budget: inout Budget) throws(KerasFileError) -> HDF5ObjectHeader {
        let what = "HDF5 object header at offset \(address)"
        if bytes.matches(Array("OHDR".utf8), at: address) {
            throw .unsupported("\(what) is version 2 (h5py libver=\"latest\"); expected version 1")
        }
        let version = try bytes.u8(address, what)
        guard version == 1 else { throw .malformed("\(what): version \(version); expected 1") }
        try budget.visit(address, what)
        let size = try bytes.u32(address + 8, what)
        // The 12-byte prefix is padded to 16 so messages are 8-byte aligned.
        var blocks = [try bytes.range(address + 16, size, what)]
        var messages: [HDF5ObjectHeader.Message] = []
        var next = 0
        while next < blocks.count {
            let block = blocks[next]
            next += 1
            var p = block.lowerBound
            while block.upperBound - p >= 8 {
                let type = try bytes.u16(p, what)
                let length = try bytes.u16(p + 2, what)
                let flags = try bytes.u8(p + 4, what)
                guard length <= block.upperBound - p - 8 else {
                    throw .malformed("\(what): message of type \(type) at offset \(p) runs past its block")
                }
                let body = (p + 8)..<(p + 8 + length)
                if type == HDF5ObjectHeader.Kind.continuation {
                    let c = "continuation message at offset \(p)"
                    let view = ByteView(bytes.slice(body))
                    guard let target = try self.address(in: view, 0, c) else { throw .malformed("\(c): undefined address") }
                    let length = try self.length(in: view, offsetSize, c)
                    try budget.visit(target, "HDF5 continuation block at offset \(target)")
                    blocks.append(try bytes.range(target, length, c))
                } else if type != 0 {
                    messages.append(.init(type: type, flags: flags, body: body))
                }
                p = body.upperBound
            }
        }
        return HDF5ObjectHeader(address: address, messages: messages)
    }

    /// A view of one message's body, so reads inside it cannot pass its end.
    func body(_ message: HDF5ObjectHeader.Message) -> ByteView { ByteView(bytes.slice(message.body)) }
}
