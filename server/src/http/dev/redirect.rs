//! Where a `next` parameter may send the browser after a sign-in.

/// `next` if it is a path on this server, else `/`.
///
/// Browsers drop tabs and line breaks from URLs and read `\` as `/`, so `/\t/evil.example` and
/// `/\evil.example` are `//evil.example`: another site. Only a path of visible ASCII that starts
/// with exactly one `/` and has no backslash is kept (the app's own paths are ASCII; anything
/// else was built by someone else). It also keeps control characters out of `Location`.
pub fn same_origin_path(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::same_origin_path;

    #[test]
    fn next_stays_on_this_server() {
        for (next, want) in [
            (Some("/legal-rep/abc"), "/legal-rep/abc"),
            (
                Some("/ops/reviews?tab=open#top"),
                "/ops/reviews?tab=open#top",
            ),
            (Some("/"), "/"),
            (Some("/%2F/evil.example"), "/%2F/evil.example"),
            (Some("/\t/evil.example"), "/"),
            (Some("/\n/evil.example"), "/"),
            (Some("/\r\nSet-Cookie: x=1"), "/"),
            (Some("//evil.example"), "/"),
            (Some("/\\evil.example"), "/"),
            (Some("/a\\b"), "/"),
            (Some("\\\\evil.example"), "/"),
            (Some("https://evil.example"), "/"),
            (Some("javascript:alert(1)"), "/"),
            (Some("evil.example"), "/"),
            (Some(" /legal-rep/abc"), "/"),
            (Some("/legal rep"), "/"),
            (Some("/\u{0}"), "/"),
            (Some("/\u{202E}"), "/"),
            (Some("/\u{3000}/evil.example"), "/"),
            (Some(""), "/"),
            (None, "/"),
        ] {
            assert_eq!(same_origin_path(next), want, "{next:?}");
        }
    }
}
