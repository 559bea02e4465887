import Foundation
import TestSupport
import Testing

@testable import DenseKernel

/// Reference formulas in Double, written independently of the kernel's code paths.
private func referenceActivation(_ name: String, _ x: Double) -> Double {
    let sigmoid = 1 / (1 + exp(-x))
    let softplus = log(1 + exp(x))
    switch name {
    case "celu": return x > 0 ? x : exp(x) - 1
    case "elu": return x > 0 ? x : exp(x) - 1
    case "exponential": return exp(x)
    case "gelu": return 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
    case "hard_shrink": return abs(x) > 0.5 ? x : 0
    case "hard_sigmoid": return min(max(x + 3, 0), 6) / 6
    case "hard_silu", "hard_swish": return x * min(max(x + 3, 0), 6) / 6
    case "hard_tanh": return min(max(x, -1), 1)
    case "leaky_relu": return x >= 0 ? x : 0.2 * x
    case "linear": return x
    case "log_sigmoid": return log(sigmoid)
    case "mish": return x * tanh(softplus)
    case "relu": return max(x, 0)
    case "relu6": return min(max(x, 0), 6)
    case "selu": return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (exp(x) - 1))
    case "sigmoid": return sigmoid
    case "silu", "swish": return x * sigmoid
    case "soft_shrink": return x > 0.5 ? x - 0.5 : (x < -0.5 ? x + 0.5 : 0)
    case "softplus": return softplus
    case "softsign": return x / (1 + abs(x))
    case "sparse_plus": return x <= -1 ? 0 : (x >= 1 ? x : (x + 1) * (x + 1) / 4)
    case "sparse_sigmoid": return x <= -1 ? 0 : (x >= 1 ? 1 : (x + 1) / 2)
    case "squareplus": return (x + (x * x + 4).squareRoot()) / 2
    case "tanh": return tanh(x)
    case "tanh_shrink": return x - tanh(x)
    default: fatalError("not elementwise: \(name)")
    }
}

private let elementwiseNames = Activation.allCases.filter(\.isElementwise).map(\.rawValue)
private let samplePoints: [Double] = [-7.5, -3, -1, -0.75, -0.5, -0.25, 0, 0.1, 0.5, 0.9, 1, 2.5, 6.5]

@Test(arguments: elementwiseNames)
func elementwiseActivationMatchesFormula(name: String) throws {
    let activation = try Activation(kerasName: name)
    for x in samplePoints {
        let expected = referenceActivation(name, x)
        let got32 = Double(activation.elementwise(Float(x)))
        let got64 = activation.elementwise(x)
        #expect(isClose(got64, expected, rtol: 1e-12, atol: 1e-12), "\(name)(\(x)) float64")
        #expect(isClose(got32, expected, rtol: 1e-5, atol: 1e-6), "\(name)(\(x)) float32")
    }
}

@Test func thirtyTwoKerasNamesAreKnown() {
    #expect(Activation.kerasNames.count == 32)
    #expect(Activation.allCases.count == 31)
}

@Test func thresholdIsRejectedWithReason() {
    #expect(throws: DenseError.self) { try Activation(kerasName: "threshold") }
    do {
        _ = try Activation(kerasName: "threshold")
    } catch {
        #expect(error.code == "unsupported_activation")
    }
}

@Test func unknownActivationListsValidNames() {
    do {
        _ = try Activation(kerasName: "relu7")
        Issue.record("expected an error")
    } catch {
        #expect(error.code == "unknown_activation")
        #expect(error.description.contains("sparsemax"))
    }
}

private func applyRow(_ activation: Activation, _ row: [Double]) -> [Double] {
    var values = row
    values.withUnsafeMutableBufferPointer { activation.apply($0, rows: 1, width: row.count, bias: nil) }
    return activation == .glu ? Array(values.prefix(row.count / 2)) : values
}

@Test func softmaxIsStableAndSumsToOne() {
    let out = applyRow(.softmax, [1000, 1001, 1002])
    #expect(abs(out.reduce(0, +) - 1) < 1e-12)
    let e = [exp(-2.0), exp(-1.0), 1]
    let sum = e.reduce(0, +)
    for (got, want) in zip(out, e.map { $0 / sum }) { #expect(abs(got - want) < 1e-12) }
}

@Test func logSoftmaxIsStable() {
    let out = applyRow(.logSoftmax, [-1000, 0, 1000])
    #expect(out[2] == 0)
    #expect(out[0] == -2000)
}

@Test func sparsemaxIsTheSimplexProjection() {
    // z = [0.5, 0.3, -1]: support {0, 1}, tau = (0.8 - 1)/2 = -0.1 → [0.6, 0.4, 0]
    let out = applyRow(.sparsemax, [0.5, 0.3, -1])
    #expect(abs(out[0] - 0.6) < 1e-12 && abs(out[1] - 0.4) < 1e-12 && out[2] == 0)
    let wide = applyRow(.sparsemax, [0.1, 0.2, 0.15, 0.05, -0.3])
    #expect(abs(wide.reduce(0, +) - 1) < 1e-12)
    #expect(wide.allSatisfy { $0 >= 0 })
}

@Test func gluHalvesTheLastAxis() {
    let out = applyRow(.glu, [1, 2, 0, 100])
    #expect(out.count == 2)
    #expect(abs(out[0] - 0.5) < 1e-12)
    #expect(abs(out[1] - 2) < 1e-12)
}

@Test func biasIsAddedBeforeTheActivation() {
    var values: [Float] = [-1, 1]
    let bias: [Float] = [2, -2]
    values.withUnsafeMutableBufferPointer { buffer in
        bias.withUnsafeBufferPointer { Activation.relu.apply(buffer, rows: 1, width: 2, bias: $0.baseAddress!) }
    }
    #expect(values == [1, 0])
}
