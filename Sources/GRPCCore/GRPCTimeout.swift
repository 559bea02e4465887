/// The `grpc-timeout` request header (grpc/grpc doc/PROTOCOL-HTTP2.md): `TimeoutValue
/// TimeoutUnit`, a positive integer of at most 8 ASCII digits followed by one unit letter:
/// `H` hours, `M` minutes, `S` seconds, `m` milliseconds, `u` microseconds, `n` nanoseconds.
public enum GRPCTimeout {
    /// The timeout in nanoseconds, saturating at `UInt64.max` (99999999H is about 3.6e20 ns);
    /// nil for anything else than 1–8 digits and one unit (no sign, space, or other unit).
    public static func parse(_ value: Substring) -> UInt64? {
        let utf8 = value.utf8
        guard utf8.count >= 2, utf8.count <= 9, let unit = utf8.last, let scale = nanoseconds(per: unit) else { return nil }
        var number: UInt64 = 0
        for digit in utf8.dropLast() {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            // 8 digits never overflow a UInt64.
            number = number * 10 + UInt64(digit - UInt8(ascii: "0"))
        }
        let (product, overflow) = number.multipliedReportingOverflow(by: scale)
        return overflow ? UInt64.max : product
    }

    /// The same parse of a `String`.
    public static func parse(_ value: String) -> UInt64? {
        parse(value[...])
    }

    private static func nanoseconds(per unit: UInt8) -> UInt64? {
        switch unit {
        case UInt8(ascii: "H"): 3_600_000_000_000
        case UInt8(ascii: "M"): 60_000_000_000
        case UInt8(ascii: "S"): 1_000_000_000
        case UInt8(ascii: "m"): 1_000_000
        case UInt8(ascii: "u"): 1_000
        case UInt8(ascii: "n"): 1
        default: nil
        }
    }
}
