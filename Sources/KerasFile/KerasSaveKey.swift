/// The keys Keras 3 gives layers in a weights file (`layers/<key>/vars`): the class name in
/// snake case plus a per-class counter, in `model.layers` order — `Dense, Dropout, Dense`
/// become `dense`, `dropout`, `dense_1`. Layer names play no part.
///
/// Source: keras/src/saving/saving_lib.py `_save_container_state` and `_get_unique_name`,
/// keras/src/utils/naming.py `to_snake_case` (Keras 3.15).
public enum KerasSaveKey {
    /// `to_snake_case`: drops non-word characters, puts `_` before each capitalised word
    /// (`(.)([A-Z][a-z]+)`) and between a lower-case letter and a capital
    /// (`([a-z])([A-Z])`), then lower-cases: `BatchNormalization` → `batch_normalization`,
    /// `ReLU` → `re_lu`, `InputLayer` → `input_layer`.
    public static func snakeCase(_ className: String) -> String {
        let word = className.filter { $0.isLetter || $0.isNumber || $0 == "_" }
        var first: [Character] = []
        let chars = Array(word)
        var i = 0
        while i < chars.count {
            if i + 2 < chars.count, isUpper(chars[i + 1]), isLower(chars[i + 2]) {
                var end = i + 2
                while end < chars.count, isLower(chars[end]) { end += 1 }
                first += [chars[i], "_"] + chars[(i + 1)..<end]
                i = end
            } else {
                first.append(chars[i])
                i += 1
            }
        }
        var second = ""
        i = 0
        while i < first.count {
            if i + 1 < first.count, isLower(first[i]), isUpper(first[i + 1]) {
                second += "\(first[i])_\(first[i + 1])"
                i += 2
            } else {
                second.append(first[i])
                i += 1
            }
        }
        return second.lowercased()
    }

    /// The keys of a container's layers, in order: each class's snake case, then `_1`, `_2`, …
    /// for its later layers (`_get_unique_name`).
    public static func keys(forClassNames classNames: [String]) -> [String] {
        var used: [String: Int] = [:]
        return classNames.map { className in
            let name = snakeCase(className)
            if let count = used[name] {
                used[name] = count + 1
                return "\(name)_\(count + 1)"
            }
            used[name] = 0
            return name
        }
    }

    private static func isUpper(_ c: Character) -> Bool { c.isASCII && c.isUppercase }
    private static func isLower(_ c: Character) -> Bool { c.isASCII && c.isLowercase }
}
