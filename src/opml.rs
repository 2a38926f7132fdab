//! OPML import and export, the format every feed reader speaks for moving subscriptions.

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::Event;

/// One subscription from an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    pub url: String,
    pub title: Option<String>,
}

/// Why an OPML document could not be read.
#[derive(Debug, thiserror::Error)]
#[error("bad OPML at byte {position}: {message}")]
pub struct OpmlError {
    pub position: u64,
    pub message: String,
}

/// Every `<outline xmlUrl=…>` in the document, nested folders included, in document order.
pub fn parse(text: &str) -> Result<Vec<Outline>, OpmlError> {
    let mut reader = Reader::from_str(text);
    let mut out = Vec::new();
    loop {
        let err = |reader: &Reader<&[u8]>, e: &dyn std::fmt::Display| OpmlError {
            position: reader.buffer_position(),
            message: e.to_string(),
        };
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == "outline" => {
                let mut url = None;
                let mut title = None;
                let mut text_attr = None;
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| err(&reader, &e))?;
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| err(&reader, &e))?;
                    match attr.key.local_name().as_ref() {
                        "xmlUrl" => url = Some(value.trim().to_owned()),
                        "title" => title = Some(value.trim().to_owned()),
                        "text" => text_attr = Some(value.trim().to_owned()),
                        _ => {}
                    }
                }
                if let Some(url) = url.filter(|u| !u.is_empty()) {
                    out.push(Outline {
                        url,
                        title: title.or(text_attr).filter(|t| !t.is_empty()),
                    });
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(err(&reader, &e)),
        }
    }
    Ok(out)
}

/// An OPML 2.0 document listing `feeds`.
pub fn render(feeds: &[Outline]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head><title>tindex feeds</title></head>\n  <body>\n",
    );
    for f in feeds {
        let title = escape(f.title.as_deref().unwrap_or(&f.url)).into_owned();
        s.push_str(&format!(
            "    <outline type=\"rss\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{}\"/>\n",
            escape(f.url.as_str())
        ));
    }
    s.push_str("  </body>\n</opml>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_urls_titles_and_escapes() {
        let feeds = vec![
            Outline {
                url: "https://h.vn/rss?a=1&b=2".into(),
                title: Some("Pháp luật \"PLVN\"".into()),
            },
            Outline {
                url: "https://h.vn/x.rss".into(),
                title: None,
            },
        ];
        let back = parse(&render(&feeds)).unwrap();
        assert_eq!(back[0], feeds[0]);
        assert_eq!(back[1].url, "https://h.vn/x.rss");
    }

    #[test]
    fn nested_folders_are_flattened_and_bad_xml_is_an_error() {
        let doc = r#"<opml><body><outline text="News"><outline text="A" xmlUrl="http://a/rss"/></outline></body></opml>"#;
        assert_eq!(
            parse(doc).unwrap(),
            vec![Outline {
                url: "http://a/rss".into(),
                title: Some("A".into())
            }]
        );
        assert!(parse("<opml><body><outline xmlUrl=\"x></body>").is_err());
    }
}
