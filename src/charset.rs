//! Turning fetched bytes into UTF-8 text before any parser sees them.
//!
//! Order of authority, as browsers do it: a byte-order mark, then the HTTP `Content-Type`
//! charset, then the document's own declaration (XML prolog or HTML `<meta>` in the first
//! 4 KiB), else UTF-8. Undecodable bytes become U+FFFD rather than an error: a page with one
//! broken byte is still an article.

use encoding_rs::{Encoding, UTF_8};

/// How many leading bytes are searched for an in-document declaration.
const SNIFF_BYTES: usize = 4096;

/// Decodes `body` to UTF-8; returns the text and the name of the encoding used.
pub fn decode(body: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    let encoding = Encoding::for_bom(body)
        .map(|(enc, _)| enc)
        .or_else(|| content_type.and_then(charset_param).and_then(label))
        .or_else(|| sniff_declaration(&body[..body.len().min(SNIFF_BYTES)]))
        .unwrap_or(UTF_8);
    // `decode` strips a BOM and replaces malformed sequences.
    let (text, used, _had_errors) = encoding.decode(body);
    (text.into_owned(), used.name())
}

fn label(name: &str) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(name.trim().trim_matches(['"', '\'']).as_bytes())?;
    // A document that says UTF-16 but reached us as ASCII-compatible text is lying.
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return Some(UTF_8);
    }
    Some(enc)
}

/// The `charset=` parameter of a Content-Type header value.
fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then_some(value.trim())
    })
}

/// Finds `encoding="…"` in an XML prolog or `charset=…` in an HTML meta tag.
fn sniff_declaration(head: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    if head.trim_start().starts_with("<?xml") {
        let prolog = &head[..head.find("?>")?];
        let after = &prolog[prolog.find("encoding")? + "encoding".len()..];
        let value = after.trim_start().strip_prefix('=')?.trim_start();
        let quote = value.chars().next()?;
        let value = value.get(1..)?;
        return label(&value[..value.find(quote)?]);
    }
    let mut rest = head.as_str();
    while let Some(at) = rest.find("<meta") {
        rest = &rest[at + 5..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if let Some(pos) = tag.find("charset=") {
            let value = tag[pos + "charset=".len()..].trim_start_matches(['"', '\'']);
            let end = value
                .find(|c: char| c == '"' || c == '\'' || c == ';' || c == '/' || c.is_whitespace())
                .unwrap_or(value.len());
            if let Some(enc) = label(&value[..end]) {
                return Some(enc);
            }
        }
    }
    None
}

/// Rewrites the XML prolog's `encoding` to UTF-8 after we have decoded the text, so an XML
/// parser does not decode it a second time.
pub fn xml_as_utf8(text: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with("<?xml") {
        return std::borrow::Cow::Borrowed(text);
    }
    match trimmed.find("?>") {
        Some(end) => std::borrow::Cow::Owned(format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>{}",
            &trimmed[end + 2..]
        )),
        None => std::borrow::Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_header_wins_over_meta() {
        let body = b"<meta charset=\"utf-8\"><p>\xe0</p>";
        let (text, enc) = decode(body, Some("text/html; charset=windows-1252"));
        assert_eq!(enc, "windows-1252");
        assert!(text.contains("<p>à</p>"));
    }

    #[test]
    fn xml_prolog_encoding_is_honoured() {
        let body =
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><title>caf\xe9</title></rss>";
        let (text, enc) = decode(body, Some("application/rss+xml"));
        assert_eq!(enc, "windows-1252");
        assert!(text.contains("café"));
        assert!(xml_as_utf8(&text).starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss>"));
    }

    #[test]
    fn html_meta_http_equiv_charset_is_found() {
        let body = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1258\"></head>";
        assert_eq!(decode(body, None).1, "windows-1258");
    }

    #[test]
    fn bom_wins_and_is_stripped() {
        let (text, enc) = decode(b"\xef\xbb\xbfhi", Some("text/html; charset=latin1"));
        assert_eq!((text.as_str(), enc), ("hi", "UTF-8"));
    }

    #[test]
    fn invalid_utf8_becomes_replacement_not_error() {
        let (text, _) = decode(b"Vi\xff\xfet", None);
        assert_eq!(text, "Vi\u{fffd}\u{fffd}t");
    }
}
