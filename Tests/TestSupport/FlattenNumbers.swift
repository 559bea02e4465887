import Foundation

/// The numbers of a nested JSON array as Foundation's `JSONSerialization` parsed it
/// (`NSNumber` leaves), in row-major order. Traps on anything but arrays and numbers.
public func flattenNumbers(_ value: Any) -> [Double] {
    if let list = value as? [Any] { return list.flatMap(flattenNumbers) }
    return [(value as! NSNumber).doubleValue]
}
