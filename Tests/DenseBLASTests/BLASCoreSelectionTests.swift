import DenseKernel
import Testing

@testable import DenseBLAS

/// The start-up choice of the OpenBLAS core: a generic fallback on a CPU with AVX2 or
/// AVX-512 is replaced (once); a core the user set, or a proper detected one, is kept.
@Suite struct BLASCoreSelectionTests {
    @Test func aGenericFallbackIsReplacedByTheCPUsCore() {
        #expect(BLASCoreSelection.coreToSelect(current: "Prescott", recommended: "SkylakeX", environment: [:]) == "SkylakeX")
        #expect(BLASCoreSelection.coreToSelect(current: "Nehalem", recommended: "Haswell", environment: [:]) == "Haswell")
        #expect(BLASCoreSelection.coreToSelect(current: "Sandybridge", recommended: "Haswell", environment: [:]) == "Haswell")
        #expect(
            BLASCoreSelection.coreToSelect(current: "Prescott", recommended: "SkylakeX", environment: ["OPENBLAS_CORETYPE": ""])
                == "SkylakeX")
    }

    @Test func aProperCoreTheUsersChoiceAndTheReexecutedProcessAreKept() {
        #expect(BLASCoreSelection.coreToSelect(current: "SkylakeX", recommended: "SkylakeX", environment: [:]) == nil)
        #expect(BLASCoreSelection.coreToSelect(current: "Zen", recommended: "SkylakeX", environment: [:]) == nil)
        #expect(BLASCoreSelection.coreToSelect(current: "Haswell", recommended: "SkylakeX", environment: [:]) == nil)
        #expect(
            BLASCoreSelection.coreToSelect(current: "Prescott", recommended: "SkylakeX", environment: ["OPENBLAS_CORETYPE": "Prescott"])
                == nil
        )
        #expect(
            BLASCoreSelection.coreToSelect(
                current: "Prescott", recommended: "SkylakeX", environment: [BLASCoreSelection.marker: "Prescott"])
                == nil)
        #expect(BLASCoreSelection.coreToSelect(current: "Prescott", recommended: nil, environment: [:]) == nil)
    }

    @Test func theRecommendedCoreMatchesTheKernelsInstructionSet() {
        switch GEMM.isa {
        case .avx512: #expect(["SkylakeX", "Haswell"].contains(BLAS.recommendedCore))
        case .avx2: #expect(BLAS.recommendedCore == "Haswell")
        case .scalar: #expect(BLAS.recommendedCore == nil)
        }
    }
}
