import DenseKernel
import Testing

@testable import InferenceService

/// The start-up choice of the OpenBLAS core: a generic fallback on a CPU with AVX2 or
/// AVX-512 is replaced (once); a core the user set, or a proper detected one, is kept.
@Suite struct ComputeBackendTests {
    @Test func aGenericFallbackIsReplacedByTheCPUsCore() {
        #expect(ComputeBackend.coreToSelect(current: "Prescott", recommended: "SkylakeX", environment: [:]) == "SkylakeX")
        #expect(ComputeBackend.coreToSelect(current: "Nehalem", recommended: "Haswell", environment: [:]) == "Haswell")
        #expect(ComputeBackend.coreToSelect(current: "Sandybridge", recommended: "Haswell", environment: [:]) == "Haswell")
        #expect(
            ComputeBackend.coreToSelect(current: "Prescott", recommended: "SkylakeX", environment: ["OPENBLAS_CORETYPE": ""]) == "SkylakeX")
    }

    @Test func aProperCoreTheUsersChoiceAndTheReexecutedProcessAreKept() {
        #expect(ComputeBackend.coreToSelect(current: "SkylakeX", recommended: "SkylakeX", environment: [:]) == nil)
        #expect(ComputeBackend.coreToSelect(current: "Zen", recommended: "SkylakeX", environment: [:]) == nil)
        #expect(ComputeBackend.coreToSelect(current: "Haswell", recommended: "SkylakeX", environment: [:]) == nil)
        #expect(
            ComputeBackend.coreToSelect(current: "Prescott", recommended: "SkylakeX", environment: ["OPENBLAS_CORETYPE": "Prescott"]) == nil
        )
        #expect(
            ComputeBackend.coreToSelect(current: "Prescott", recommended: "SkylakeX", environment: [ComputeBackend.marker: "Prescott"])
                == nil)
        #expect(ComputeBackend.coreToSelect(current: "Prescott", recommended: nil, environment: [:]) == nil)
    }

    @Test func theRecommendedCoreMatchesTheKernelsInstructionSet() {
        switch GEMM.isa {
        case .avx512: #expect(["SkylakeX", "Haswell"].contains(GEMM.recommendedBLASCore))
        case .avx2: #expect(GEMM.recommendedBLASCore == "Haswell")
        case .scalar: #expect(GEMM.recommendedBLASCore == nil)
        }
    }
}
