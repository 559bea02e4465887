extension ModelDescription {
    /// The `model.summary()` table as Keras 3 prints it (rich box drawing, column widths
    /// 33/24/15, counts with thousands separators, bytes as `240.00 B`).
    public var summary: String {
        let widths = [33, 24, 15]
        // A cell too long for its column wraps at spaces (rich's word wrap), a word longer
        // than the column is cut into pieces; the row takes as many lines as its tallest cell.
        func cells(_ texts: [String], rightAlignLast: Bool, edge: (String, String, String)) -> String {
            let wrapped = texts.enumerated().map { index, text in Self.wrap(text, width: widths[index] - 2) }
            let height = wrapped.map(\.count).max() ?? 1
            var lines: [String] = []
            for row in 0..<height {
                var line = edge.0
                for (index, pieces) in wrapped.enumerated() {
                    let room = widths[index] - 2
                    let text = row < pieces.count ? pieces[row] : ""
                    let pad = String(repeating: " ", count: room - text.count)
                    let body = (index == texts.count - 1 && rightAlignLast) ? pad + text : text + pad
                    line += " " + body + " " + (index == texts.count - 1 ? edge.2 : edge.1)
                }
                lines.append(line)
            }
            return lines.joined(separator: "\n")
        }
        func rule(_ left: String, _ fill: String, _ middle: String, _ right: String) -> String {
            left + widths.map { String(repeating: fill, count: $0) }.joined(separator: middle) + right
        }
        var lines = ["Model: \"\(name)\""]
        lines.append(rule("┏", "━", "┳", "┓"))
        lines.append(cells(["Layer (type)", "Output Shape", "Param #"], rightAlignLast: true, edge: ("┃", "┃", "┃")))
        lines.append(rule("┡", "━", "╇", "┩"))
        for (index, layer) in layers.enumerated() {
            if index > 0 { lines.append(rule("├", "─", "┼", "┤")) }
            lines.append(
                cells(
                    ["\(layer.name) (\(layer.className))", Self.format(layer.outputShape), Self.grouped(layer.params)],
                    rightAlignLast: true, edge: ("│", "│", "│")))
        }
        lines.append(rule("└", "─", "┴", "┘"))
        lines.append(" Total params: \(Self.grouped(totalParams)) (\(Self.readableSize(totalBytes)))")
        lines.append(" Trainable params: \(Self.grouped(trainableParams)) (\(Self.readableSize(trainableBytes)))")
        lines.append(
            " Non-trainable params: \(Self.grouped(nonTrainableParams)) (\(Self.readableSize(totalBytes - trainableBytes)))")
        return lines.joined(separator: "\n")
    }

    /// Lines of at most `width` characters: words joined by single spaces, greedily.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard text.count > width else { return [text] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            var word = word
            if !current.isEmpty && current.count + 1 + word.count <= width {
                current += " " + word
                continue
            }
            if !current.isEmpty { lines.append(current) }
            while word.count > width {
                lines.append(String(word.prefix(width)))
                word = String(word.dropFirst(width))
            }
            current = word
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// `1234567` → `1,234,567` (Python's `{:,}`).
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// Keras's `readable_memory_size`: divide by 1024 while ≥ 1024, two decimals, B/KB/MB/GB/TB/PB.
    static func readableSize(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB"]
        var size = Double(bytes)
        var unit = 0
        while size / 1024 >= 1 && unit < units.count - 1 {
            size /= 1024
            unit += 1
        }
        return fixed2(size) + " " + units[unit]
    }

    /// Two-decimal fixed formatting without Foundation (round half to even on the exact value).
    static func fixed2(_ value: Double) -> String {
        let scaled = (value * 100).rounded(.toNearestOrEven)
        let whole = Int(scaled) / 100
        let cents = Int(scaled) % 100
        return "\(whole)." + (cents < 10 ? "0" : "") + "\(cents)"
    }
}
