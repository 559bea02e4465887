import HTTPCore
import TensorJSON

/// The API's answers are `HTTPCore.HTTPResponse` values; these make its JSON ones.
extension HTTPResponse {
    /// A JSON body with `Content-Type: application/json`, then `headers`.
    public static func json(_ status: Int, _ body: [UInt8], headers: [(String, String)] = []) -> HTTPResponse {
        var fields = HTTPHeaders()
        fields.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { fields.add(name: name, value: value) }
        return HTTPResponse(status: status, headers: fields, body: body)
    }

    /// The error body and status of a ``ServiceError`` — the only way errors become responses.
    /// A broken JSON size limit is named with its value from `limits` and its setting.
    public static func error(
        _ error: ServiceError, limits: JSONLimits = .default, settings: [JSONLimits.Limit: LimitSetting] = [:]
    ) -> HTTPResponse {
        json(error.status, error.jsonBody(limits: limits, settings: settings), headers: error.headers)
    }
}
