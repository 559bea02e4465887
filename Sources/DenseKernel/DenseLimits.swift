/// Resource limits a single request may not exceed. Checked before anything is allocated.
public struct DenseLimits: Sendable, Equatable {
    /// Largest tensor rank accepted (input and output). Default 32.
    public var maxRank: Int
    /// Largest element count of any one tensor: input, intermediate, output or kernel. Default 64 Mi.
    public var maxElements: Int
    /// Largest number of layers in one model. Default 1,024.
    public var maxLayers: Int
    /// Largest total parameter count of one model. Default 64 Mi.
    public var maxParams: Int
    /// Largest multiply-add work of one forward pass, counted as 2·rows·in·units per layer. Default 2^37 (~1 s on one core).
    public var maxFLOPs: Int

    public init(
        maxRank: Int = 32, maxElements: Int = 64 << 20, maxLayers: Int = 1024,
        maxParams: Int = 64 << 20, maxFLOPs: Int = 1 << 37
    ) {
        self.maxRank = maxRank
        self.maxElements = maxElements
        self.maxLayers = maxLayers
        self.maxParams = maxParams
        self.maxFLOPs = maxFLOPs
    }

    public static let `default` = DenseLimits()
}

extension Array where Element == Int {
    /// The product of the dimensions, or nil when it overflows `Int`.
    @inlinable
    public func checkedProduct() -> Int? {
        var product = 1
        for dimension in self {
            let (value, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = value
        }
        return product
    }
}
