import HTTPCore

extension BrowserPage {
    /// Inline script and style, and requests to this origin only: no CDN, font or outside
    /// script can load, even if one were added to the page by mistake.
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The headers of the page's answer at `GET /`.
    public static let headers: HTTPHeaders = [
        "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": contentSecurityPolicy,
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache",
    ]
}
