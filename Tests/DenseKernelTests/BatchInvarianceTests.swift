import Foundation
import TestSupport
import Testing

@testable import DenseKernel

/// The batch-invariance guarantee of ``GEMM``, checked bitwise: a row's output is the same
/// whether it is computed alone or anywhere inside a batch of any size, whatever the column
/// split or the instruction set; and every fast path agrees with the naive oracle.
@Suite struct BatchInvarianceTests {
    /// Row counts that cross every tile and strip boundary of both instruction sets
    /// (AVX-512 strips of 12 rows, AVX2 of 6, in-place reads up to 48 rows, packed strips above).
    static let rowCounts = [1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 64, 255, 256, 257, 1000]

    /// A layer of `inputDim` 300 (two K-blocks, the second partial) and 150 units (a partial
    /// last panel in both dtypes; 5 float panels, so the single-row kernel runs a full group
    /// of 4 and a lone one; 10 double panels), with a bias and a row-wise activation.
    static func layer(_ dtype: DType, inputDim: Int = 300, units: Int = 150, activation: Activation = .softmax) throws
        -> DenseLayer
    {
        var generator = LCG64(state: 7)
        let kernel = TensorStorage.float64(generator.signedValues(inputDim * units)).converted(to: dtype)
        let bias = TensorStorage.float64(generator.signedValues(units)).converted(to: dtype)
        return try DenseLayer(
            config: LayerConfig(name: "dense", units: units, activation: activation, dtype: dtype), inputDim: inputDim,
            kernel: kernel, bias: bias)
    }

    static func rows(_ storage: TensorStorage, width: Int) -> [[UInt64]] {
        (0..<(storage.count / width)).map { row in
            (0..<width).map { column in
                switch storage {
                case .float32(let values): UInt64(values[row * width + column].bitPattern)
                case .float64(let values): values[row * width + column].bitPattern
                }
            }
        }
    }

    @Test(arguments: DType.allCases, rowCounts)
    func aRowGetsTheSameBitsAloneAndAnywhereInABatch(dtype: DType, rowCount: Int) throws {
        let layer = try Self.layer(dtype)
        var generator = LCG64(state: UInt64(rowCount) &* 31 &+ 5)
        let probes = (0..<3).map { _ in generator.signedValues(layer.inputDim) }
        let alone = probes.map { probe in
            Self.rows(layer.forward(rows: 1, input: TensorStorage.float64(probe).converted(to: dtype)), width: layer.units)[0]
        }
        // The batch: random rows, with the probes in the first row, the last row and a random
        // row between them (as many as fit), to cover the edge strips and an inner one.
        var batch = (0..<rowCount).map { _ in generator.signedValues(layer.inputDim) }
        var positions = [0, rowCount - 1]
        if rowCount >= 3 { positions.append(1 + generator.index(below: rowCount - 2)) }
        if rowCount == 1 { positions = [0] }
        for (probe, position) in zip(probes, positions) { batch[position] = probe }
        let output = Self.rows(
            layer.forward(rows: rowCount, input: TensorStorage.float64(batch.flatMap { $0 }).converted(to: dtype)),
            width: layer.units)
        for (probe, position) in zip(alone, positions) {
            #expect(output[position] == probe, "row \(position) of \(rowCount) differs from the row alone")
        }
    }

    /// Every instruction set this CPU has gives the same bits as the best one (AVX-512, AVX2
    /// + FMA, scalar `fma`), and a split by column panels gives the same bits as one call.
    @Test(arguments: DType.allCases, [1, 5, 13, 64, 100])
    func everyInstructionSetAndColumnSplitGivesTheSameBits(dtype: DType, rowCount: Int) throws {
        let layer = try Self.layer(dtype, activation: .linear)
        var generator = LCG64(state: 11)
        let input = TensorStorage.float64(generator.signedValues(rowCount * layer.inputDim)).converted(to: dtype)
        let best = layer.forward(rows: rowCount, input: input)
        for isa in GEMM.ISA.allCases where isa <= GEMM.isa {
            let other = layer.forward(rows: rowCount, input: input, isa: isa)
            #expect(
                Self.rows(other, width: layer.units) == Self.rows(best, width: layer.units), "\(isa.name) differs from \(GEMM.isa.name)")
        }
        let panels = layer.packedKernel.panelCount
        #expect(panels >= 2)
        switch input {
        case .float32(let x):
            let split = Self.splitProduct(layer.packedKernel, rows: rowCount, x: x, cut: panels / 2)
            #expect(split.map(\.bitPattern) == Self.wholeProduct(layer.packedKernel, rows: rowCount, x: x).map(\.bitPattern))
        case .float64(let x):
            let split = Self.splitProduct(layer.packedKernel, rows: rowCount, x: x, cut: panels / 2)
            #expect(split.map(\.bitPattern) == Self.wholeProduct(layer.packedKernel, rows: rowCount, x: x).map(\.bitPattern))
        }
    }

    static func wholeProduct<T: DenseScalar>(_ kernel: PackedKernel, rows: Int, x: [T]) -> [T] {
        [T](unsafeUninitializedCapacity: rows * kernel.units) { buffer, initialized in
            x.withUnsafeBufferPointer { kernel.multiply(rows: rows, x: $0.baseAddress!, y: buffer.baseAddress!) }
            initialized = rows * kernel.units
        }
    }

    static func splitProduct<T: DenseScalar>(_ kernel: PackedKernel, rows: Int, x: [T], cut: Int) -> [T] {
        [T](unsafeUninitializedCapacity: rows * kernel.units) { buffer, initialized in
            x.withUnsafeBufferPointer { x in
                kernel.multiply(rows: rows, x: x.baseAddress!, y: buffer.baseAddress!, panels: cut..<kernel.panelCount)
                kernel.multiply(rows: rows, x: x.baseAddress!, y: buffer.baseAddress!, panels: 0..<cut)
            }
            initialized = rows * kernel.units
        }
    }

    /// The fast path against the naive oracle, within the corpus tolerances, for shapes that
    /// cover one and several K-blocks, partial panels and both row paths.
    @Test(arguments: DType.allCases, [(1, 5, 10), (20, 5, 10), (3, 256, 33), (50, 513, 64), (13, 1000, 17)])
    func fastPathAgreesWithTheOracle(dtype: DType, shape: (rows: Int, inputDim: Int, units: Int)) throws {
        let layer = try Self.layer(dtype, inputDim: shape.inputDim, units: shape.units, activation: .linear)
        var generator = LCG64(state: 3)
        let input = TensorStorage.float64(generator.signedValues(shape.rows * shape.inputDim)).converted(to: dtype)
        let fast = layer.forward(rows: shape.rows, input: input)
        let oracle = layer.forward(rows: shape.rows, input: input, reference: true)
        let tolerance = dtype == .float32 ? 1e-5 : 1e-12
        for index in 0..<fast.count {
            #expect(isClose(fast[index], oracle[index], rtol: tolerance, atol: tolerance), "element \(index)")
        }
    }

    /// Packing keeps the weights exactly, and its memory is the weights rounded up to whole
    /// panels (≤ 1.1× for layers of at least 320 float units).
    @Test(arguments: DType.allCases)
    func packingIsExactAndCompact(dtype: DType) throws {
        var generator = LCG64(state: 5)
        let kernel = TensorStorage.float64(generator.signedValues(77 * 45)).converted(to: dtype)
        let packed = PackedKernel(kernel: kernel, inputDim: 77, units: 45)
        #expect(packed.unpacked() == kernel)
        let wide = PackedKernel(
            kernel: TensorStorage.float32([Float](repeating: 1, count: 4 * 1000)).converted(to: dtype), inputDim: 4, units: 1000)
        #expect(Double(wide.byteCount) <= 1.1 * Double(4 * 1000 * dtype.byteSize))
    }

    /// The kernel read out in row chunks (any chunk size, a last panel part-filled) is
    /// ``PackedKernel/unpacked()`` byte for byte.
    @Test(arguments: DType.allCases)
    func rowChunksConcatenateToTheUnpackedKernel(dtype: DType) {
        var generator = LCG64(state: 6)
        let kernel = TensorStorage.float64(generator.signedValues(77 * 45)).converted(to: dtype)
        let packed = PackedKernel(kernel: kernel, inputDim: 77, units: 45)
        let whole: [UInt8] =
            switch kernel {
            case .float32(let values): values.withUnsafeBytes { Array($0) }
            case .float64(let values): values.withUnsafeBytes { Array($0) }
            }
        for chunkBytes in [0, 1, 45 * dtype.byteSize, 45 * dtype.byteSize * 10 + 3, 1 << 20] {
            var joined: [UInt8] = []
            var chunks = 0
            packed.forEachRowMajorChunk(chunkBytes: chunkBytes) { bytes in
                #expect(bytes.count % (45 * dtype.byteSize) == 0)
                joined += bytes
                chunks += 1
            }
            #expect(joined == whole, "chunks of \(chunkBytes) bytes")
            #expect(
                chunks
                    == (chunkBytes < 45 * dtype.byteSize
                        ? 77 : (77 + chunkBytes / (45 * dtype.byteSize) - 1) / (chunkBytes / (45 * dtype.byteSize))))
        }
    }
}

/// The packed kernel pads columns to whole panels; the element limit counts the padding, so
/// a narrow, tall layer cannot take 32× the memory its parameter count says.
@Test func paddedKernelSizeCountsAgainstTheElementLimit() throws {
    let limits = DenseLimits(maxRank: 8, maxElements: 1000, maxLayers: 4, maxParams: 1000, maxFLOPs: 1 << 40)
    let config = LayerConfig(name: "narrow", units: 1)
    #expect(throws: DenseError.self) {
        try DenseLayer(
            config: config, inputDim: 100, kernel: .float32(Array(repeating: 1, count: 100)), bias: .float32([0]), limits: limits)
    }
    _ = try DenseLayer(config: config, inputDim: 31, kernel: .float32(Array(repeating: 1, count: 31)), bias: .float32([0]), limits: limits)
}

/// The kernel chosen at start-up is the best the CPU offers: on a CPU whose flags list
/// AVX-512F or AVX2 + FMA, never the scalar fallback.
@Suite struct KernelSelectionTests {
    static func cpuFlags() -> Set<Substring> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " "))
    }

    @Test func theKernelMatchesTheCPUFlags() {
        let flags = Self.cpuFlags()
        if flags.contains("avx512f") {
            #expect(GEMM.isa == .avx512)
        } else if flags.contains("avx2") && flags.contains("fma") {
            #expect(GEMM.isa == .avx2)
        }
        #expect(GEMM.ISA(name: GEMM.kernelName) == GEMM.isa)
    }
}
