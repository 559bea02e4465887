/// Model names: `[A-Za-z0-9][A-Za-z0-9_.-]{0,63}` — never empty, `.`, `..`, or a path.
public enum ModelName {
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
        return bytes.dropFirst().allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }

    /// Throws `invalidModelName` unless valid.
    public static func validate(_ name: String) throws(ServiceError) {
        guard isValid(name) else { throw .invalidModelName(name) }
    }
}
