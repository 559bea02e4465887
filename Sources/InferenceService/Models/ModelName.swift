/// Model names: `[A-Za-z0-9][A-Za-z0-9_.-]{0,63}` — never empty, `.`, `..`, or a path.
public enum ModelName {
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
        return bytes.dropFirst().allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }

    /// Throws `invalidModelName` unless valid.
    public static func validate(_ name: String) throws(ServiceError) {
        guard isValid(name) else { throw .invalidModelName(name) }
    }
}

/// Model versions in a path (`/versions/{v}`): ASCII digits only, 1 to 18 of them, value ≥ 1.
/// (`Int(String)` also took `+1`, so `/versions/+1` was version 1.)
public enum ModelVersion {
    /// The version `text` names, or nil when it is not digits only or not ≥ 1.
    public static func parse<Text: StringProtocol>(_ text: Text) -> Int? {
        let bytes = text.utf8
        guard (1...18).contains(bytes.count), bytes.allSatisfy({ (48...57).contains($0) }) else { return nil }
        let value = bytes.reduce(0) { $0 * 10 + Int($1 - 48) }
        return value >= 1 ? value : nil
    }

    /// The version of a path segment, or 400 `invalid_request` naming the segment.
    public static func parseOrThrow<Text: StringProtocol>(_ text: Text) throws(ServiceError) -> Int {
        guard let version = parse(text) else {
            throw .badRequest(field: "version", expected: "a positive integer (digits only) in the path, got \"\(text)\"")
        }
        return version
    }
}
