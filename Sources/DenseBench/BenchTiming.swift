/// Wall-clock timing for the benches: each figure is the best of several runs (the machine is
/// shared; the best run is the one a neighbour disturbed least).
enum BenchTiming {
    /// Best wall time of `body` over 5 repeats, each of enough iterations to last `minimum`
    /// seconds, after one warm-up run.
    static func bestSeconds<E: Error>(minimum: Double, _ body: () throws(E) -> Void) throws(E) -> Double {
        try body()
        let clock = ContinuousClock()
        var iterations = 1
        if minimum > 0 {
            while true {
                let start = clock.now
                for _ in 0..<iterations { try body() }
                let elapsed = seconds(clock.now - start)
                if elapsed > minimum / 4 {
                    iterations = max(1, Int(Double(iterations) * minimum / elapsed))
                    break
                }
                iterations *= 4
            }
        }
        var best = Double.infinity
        for _ in 0..<5 {
            let start = clock.now
            for _ in 0..<iterations { try body() }
            best = min(best, seconds(clock.now - start) / Double(iterations))
        }
        return best
    }

    /// Best wall time of one call of `body` over `repeats` calls, after one warm-up call.
    static func bestSeconds<E: Error>(repeats: Int = 5, _ body: () throws(E) -> Void) throws(E) -> Double {
        try body()
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = clock.now
            try body()
            best = min(best, seconds(clock.now - start))
        }
        return best
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
