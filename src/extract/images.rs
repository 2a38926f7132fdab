//! Figures, captions and image sources.
//!
//! News CMSs put photos in `<figure>` with the caption twice (in `alt` and
//! in `<figcaption>`), in old-style `<table class="image">` layouts with the
//! caption in a second row, and load them lazily (`data-src`). Captions are
//! kept apart from the body text and each photo gives one caption.

use scraper::ElementRef;
use url::Url;

use super::Image;
use super::dom::{AttrExt, DomStats, element_text};
use super::text::clean;

/// Largest amount of text a layout table may hold and still be read as an
/// image with its caption rather than as content.
const MAX_TABLE_CAPTION_CHARS: usize = 400;

/// Largest figure text (figcaption) before a `<figure>` is treated as an
/// ordinary container (some sites wrap whole sections in `<figure>`).
const MAX_FIGURE_TEXT_CHARS: usize = 800;

/// `<figure>` holding a picture and at most a caption's worth of text.
pub(crate) fn is_image_figure(el: ElementRef<'_>, stats: &DomStats) -> bool {
    if el.value().name() != "figure" {
        return false;
    }
    let st = stats.get(el.id());
    (st.imgs > 0 || has_picture(el)) && st.text <= MAX_FIGURE_TEXT_CHARS
}

fn has_picture(el: ElementRef<'_>) -> bool {
    el.descendent_elements()
        .any(|d| matches!(d.value().name(), "picture" | "img"))
}

/// Old-CMS layout table: image(s) plus a short caption row, no nested tables.
pub(crate) fn is_image_table(el: ElementRef<'_>, stats: &DomStats) -> bool {
    if el.value().name() != "table" {
        return false;
    }
    let st = stats.get(el.id());
    if st.imgs == 0 || st.text > MAX_TABLE_CAPTION_CHARS {
        return false;
    }
    !el.descendent_elements()
        .skip(1)
        .any(|d| d.value().name() == "table")
}

/// Caption of a figure-like element: the figcaption (or any text it has
/// besides the image), else the first meaningful `alt`. The alt is only a
/// fallback so that alt and figcaption never give two captions.
pub(crate) fn figure_caption(el: ElementRef<'_>) -> Option<String> {
    let text = element_text(el);
    if !text.is_empty() {
        return Some(text);
    }
    el.descendent_elements()
        .filter(|d| d.value().name() == "img")
        .filter_map(|img| img.value().get_attr("alt"))
        .map(clean)
        .find(|alt| looks_like_caption(alt))
}

/// An alt worth keeping as a caption: several words, not a file name.
fn looks_like_caption(alt: &str) -> bool {
    let words = alt.split(' ').count();
    let lower = alt.to_ascii_lowercase();
    words >= 3
        && !lower.ends_with(".jpg")
        && !lower.ends_with(".png")
        && !lower.ends_with(".jpeg")
        && !lower.ends_with(".webp")
}

/// Adds every `<img>` at or below `el` to `out` (absolute source, alt,
/// caption) at block position `position`.
pub(crate) fn collect_imgs(
    el: ElementRef<'_>,
    base: &Url,
    caption: Option<String>,
    position: usize,
    out: &mut Vec<Image>,
) {
    let imgs = std::iter::once(el)
        .chain(el.descendent_elements().skip(1))
        .filter(|d| d.value().name() == "img");
    for img in imgs {
        let src = img_src(img, base).or_else(|| picture_src(img, base));
        let Some(src) = src else {
            continue;
        };
        if out.iter().any(|i| i.src == src) {
            continue;
        }
        let alt = img
            .value()
            .get_attr("alt")
            .map(clean)
            .filter(|a| !a.is_empty());
        out.push(Image {
            src,
            alt,
            caption: caption.clone(),
            position,
        });
    }
}

/// Real source of an image: lazy-load attributes first, then `srcset`,
/// then `src` unless it is a `data:` placeholder.
pub(crate) fn img_src(img: ElementRef<'_>, base: &Url) -> Option<String> {
    let e = img.value();
    for attr in [
        "data-src",
        "data-original",
        "data-lazy-src",
        "data-lazy",
        "data-url",
        "data-full-src",
    ] {
        if let Some(u) = e.get_attr(attr).and_then(|v| resolve(v, base)) {
            return Some(u);
        }
    }
    for attr in ["data-srcset", "srcset"] {
        if let Some(u) = e
            .get_attr(attr)
            .and_then(first_srcset)
            .and_then(|v| resolve(v, base))
        {
            return Some(u);
        }
    }
    e.get_attr("src").and_then(|v| resolve(v, base))
}

/// Source from a sibling `<source>` in a `<picture>`, for images whose own
/// attributes only hold a placeholder.
fn picture_src(img: ElementRef<'_>, base: &Url) -> Option<String> {
    let parent = img.parent().and_then(ElementRef::wrap)?;
    if parent.value().name() != "picture" {
        return None;
    }
    parent
        .child_elements()
        .filter(|c| c.value().name() == "source")
        .find_map(|s| {
            s.value()
                .get_attr("data-srcset")
                .or_else(|| s.value().get_attr("srcset"))
                .and_then(first_srcset)
                .and_then(|v| resolve(v, base))
        })
}

fn first_srcset(v: &str) -> Option<&str> {
    v.split(',')
        .next()
        .and_then(|c| c.split_whitespace().next())
}

/// Absolute http(s) URL of an attribute value, or None for placeholders.
pub(crate) fn resolve(v: &str, base: &Url) -> Option<String> {
    let v = v.trim();
    if v.is_empty() || v.starts_with("data:") || v.starts_with("javascript:") || v == "#" {
        return None;
    }
    let u = base.join(v).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.to_string())
}
