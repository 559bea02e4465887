extension ModelDescription {
    /// The `model.summary()` table as Keras 3 prints it (rich box drawing, column widths
    /// 33/24/15, counts with thousands separators, bytes as `240.00 B`).
    public var summary: String {
        let widths = [33, 24, 15]
        func cells(_ texts: [String], rightAlignLast: Bool, edge: (String, String, String)) -> String {
            var line = edge.0
            for (index, text) in texts.enumerated() {
                let room = widths[index] - 2
                let clipped = text.count > room ? String(text.prefix(room)) : text
                let pad = String(repeating: " ", count: room - clipped.count)
                let body = (index == texts.count - 1 && rightAlignLast) ? pad + clipped : clipped + pad
                line += " " + body + " " + (index == texts.count - 1 ? edge.2 : edge.1)
            }
            return line
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
                    ["\(layer.name) (Dense)", Self.format(layer.outputShape), Self.grouped(layer.params)],
                    rightAlignLast: true, edge: ("│", "│", "│")))
        }
        lines.append(rule("└", "─", "┴", "┘"))
        lines.append(" Total params: \(Self.grouped(totalParams)) (\(Self.readableSize(totalBytes)))")
        lines.append(" Trainable params: \(Self.grouped(trainableParams)) (\(Self.readableSize(trainableBytes)))")
        lines.append(
            " Non-trainable params: \(Self.grouped(nonTrainableParams)) (\(Self.readableSize(totalBytes - trainableBytes)))")
        return lines.joined(separator: "\n")
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
