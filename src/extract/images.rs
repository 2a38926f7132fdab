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

/// `<figure>` holding a picture and at most a caption's worth of text. A figure holding a
/// `<blockquote>` is a pull quote (the speaker's portrait beside it): its words are the
/// article's, not a caption.
pub(crate) fn is_image_figure(el: ElementRef<'_>, stats: &DomStats) -> bool {
    if el.value().name() != "figure" {
        return false;
    }
    let st = stats.get(el.id());
    (st.imgs > 0 || has_picture(el))
        && st.text <= MAX_FIGURE_TEXT_CHARS
        && !el
            .descendent_elements()
            .any(|d| d.value().name() == "blockquote")
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
        let (caption, credit) = match caption.as_deref().map(split_credit) {
            Some((c, credit)) => (Some(c).filter(|c| !c.is_empty()), credit),
            None => (None, None),
        };
        out.push(Image {
            src,
            alt,
            caption,
            credit,
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

/// Words that open a credit ("Photo: …", "Ảnh: …"), lower case.
const CREDIT_LABELS: &[&str] = &[
    "photo",
    "photos",
    "photograph",
    "photo credit",
    "credit",
    "credits",
    "image",
    "images",
    "picture",
    "pic",
    "source",
    "foto",
    "ảnh",
    "nguồn",
    "đồ họa",
    "clip",
    "video",
    // Other languages' photo and source labels.
    "bild",
    "fotos",
    "quelle",
    "crédit",
    "crédits",
    "crédit photo",
    "imagen",
    "fuente",
    "immagine",
    "fonte",
    "фото",
    "источник",
    "kuva",
    "zdjęcie",
    "图",
    "图片",
    "圖片",
    "写真",
    "사진",
];

/// Names that make a short trailing part a credit by themselves.
const AGENCIES: &[&str] = &[
    "getty images",
    "getty",
    "ap",
    "ap photo",
    "reuters",
    "afp",
    "epa",
    "shutterstock",
    "alamy",
    "istock",
    "unsplash",
    "pa",
    "pa images",
    "xinhua",
    "ttxvn",
    "vna",
    "courtesy",
    "file photo",
    "handout",
    "bloomberg",
    "anadolu",
    "dpa",
    "picture alliance",
    "belga",
    "ansa",
    "tass",
    "ria novosti",
    "kyodo",
    "yonhap",
];

/// Longest credit, in characters.
const MAX_CREDIT_CHARS: usize = 80;

/// Splits a caption into its text and the photo credit it ends with: "(AP)", "(Ảnh: Văn
/// Huy)", "… Photo: Jane Doe", "… Ảnh: Bệnh viện cung cấp", "… Jane Doe/Getty Images".
pub(crate) fn split_credit(caption: &str) -> (String, Option<String>) {
    let t = caption.trim();
    // A trailing parenthesis.
    if let Some(open) = t.rfind('(')
        && t.ends_with(')')
    {
        let inner = t[open + 1..t.len() - 1].trim();
        if is_credit(inner) {
            return (t[..open].trim().to_string(), Some(inner.to_string()));
        }
    }
    // A trailing "Label: …" part after a sentence end or a dash.
    let lower = super::text::lower_same_len(t);
    {
        // "Photo: …", and "图：…" with the full-width colon of Chinese and Japanese: the
        // last place each label stands before either colon.
        let before_colon = |label: &str, colon: char| {
            lower
                .rmatch_indices(label)
                .map(|(at, _)| at)
                .find(|&at| lower[at + label.len()..].starts_with(colon))
        };
        let labelled = CREDIT_LABELS
            .iter()
            .flat_map(|label| [before_colon(label, ':'), before_colon(label, '：')]);
        for at in labelled.flatten() {
            let before = t[..at].trim_end();
            let credit = t[at..].trim();
            let starts_part = at == 0
                || before.ends_with(['.', '-', '–', '—', '|', '/', '!', '?', '。'])
                || before.ends_with(".)");
            if starts_part && credit.chars().count() <= MAX_CREDIT_CHARS {
                let text = before.trim_end_matches(['-', '–', '—', '|', '/']).trim();
                return (text.to_string(), Some(credit.to_string()));
            }
        }
        // "… seen from the air. Jane Doe/Getty Images"
        if let Some(dot) = t.rfind(". ") {
            let tail = t[dot + 2..].trim();
            let tl = tail.to_lowercase();
            if tail.chars().count() <= MAX_CREDIT_CHARS
                && AGENCIES.iter().any(|a| {
                    tl.ends_with(a)
                        && (tl.len() == a.len()
                            || tl[..tl.len() - a.len()].ends_with(['/', ' ', ',']))
                })
            {
                return (t[..=dot].trim().to_string(), Some(tail.to_string()));
            }
        }
    }
    (t.to_string(), None)
}

/// Labels that open a credit standing as a line of its own ("Image: Jane Doe / Unsplash"):
/// the photo words of [`CREDIT_LABELS`] only, as "Source: …" under a chart or "Video: …"
/// over an embed may be the article's.
const CREDIT_LINE_LABELS: &[&str] = &[
    "photo",
    "photos",
    "photograph",
    "image",
    "images",
    "image source",
    "picture",
    "pic",
    "foto",
    "ảnh",
    "credit",
    "credits",
    "bild",
    "fotos",
    "crédit photo",
    "imagen",
    "immagine",
    "фото",
    "kuva",
    "zdjęcie",
    "写真",
    "사진",
];

/// Whether a body line is nothing but a photo credit ("Getty Images / Jane Doe", "Image:
/// Jane Doe / Unsplash", "Jane Doe via Getty Images", "Photo by Jane Doe"): a caption's
/// credit set beside the image outside any caption element, never article text.
pub(crate) fn is_credit_line(text: &str) -> bool {
    let t = text.trim();
    // Asked of every short body line: the length settles most of them.
    if t.is_empty() || t.len() > MAX_CREDIT_CHARS * 4 || t.chars().count() > MAX_CREDIT_CHARS {
        return false;
    }
    let l = t.to_lowercase();
    // No label holds a colon or " by ": the first of either ends it. A label with nothing
    // after it is a heading ("Credits:").
    let labelled = [l.split_once(':'), l.split_once(" by ")]
        .into_iter()
        .flatten()
        .any(|(label, who)| CREDIT_LINE_LABELS.contains(&label) && !who.trim().is_empty());
    let whole_word = |rest: &str| !rest.starts_with(char::is_alphanumeric);
    let agency = AGENCIES.iter().any(|a| {
        l == *a
            // "Jane Doe/Getty Images", "Jane Doe via Getty Images"
            || l.strip_suffix(a).is_some_and(|head| {
                head.ends_with('/') || head.ends_with("/ ") || head.ends_with(" via ")
            })
            // "Getty Images / Jane Doe", "© Shutterstock"
            || l.strip_prefix(a)
                .is_some_and(|rest| rest.starts_with('/') || rest.starts_with(" /"))
            || l.strip_prefix('©')
                .and_then(|r| r.trim_start().strip_prefix(a))
                .is_some_and(whole_word)
    });
    labelled
        || agency
        || ["courtesy of ", "image used under license from "]
            .iter()
            .any(|p| l.starts_with(p))
}

fn is_credit(inner: &str) -> bool {
    let l = inner.to_lowercase();
    if inner.is_empty() || inner.chars().count() > MAX_CREDIT_CHARS {
        return false;
    }
    AGENCIES.contains(&l.as_str())
        || CREDIT_LABELS
            .iter()
            .any(|w| l.starts_with(&format!("{w}:")) || l.starts_with(&format!("{w} by")))
        || AGENCIES.iter().any(|a| l.ends_with(&format!("/{a}")))
}

#[cfg(test)]
mod credit_tests {
    use super::split_credit;

    fn split(s: &str) -> (String, Option<String>) {
        split_credit(s)
    }

    #[test]
    fn photo_credits_leave_the_caption() {
        assert_eq!(
            split("Rescuers at the site. (AP)"),
            ("Rescuers at the site.".into(), Some("AP".into()))
        );
        assert_eq!(
            split("Các bị cáo tại phiên tòa. (Ảnh: Văn Huy)"),
            (
                "Các bị cáo tại phiên tòa.".into(),
                Some("Ảnh: Văn Huy".into())
            )
        );
        assert_eq!(
            split("Bệnh nhân sau mổ. Ảnh: Bệnh viện cung cấp"),
            (
                "Bệnh nhân sau mổ.".into(),
                Some("Ảnh: Bệnh viện cung cấp".into())
            )
        );
        assert_eq!(
            split("The skyline at dusk. Jane Doe/Getty Images"),
            (
                "The skyline at dusk.".into(),
                Some("Jane Doe/Getty Images".into())
            )
        );
    }

    #[test]
    fn a_line_of_only_a_photo_credit_is_a_credit() {
        use super::is_credit_line;
        assert!(is_credit_line("Getty Images / Jane Doe"));
        assert!(is_credit_line("Image: Jane Doe / Unsplash / Foundry"));
        assert!(is_credit_line("Jane Doe via Getty Images"));
        assert!(is_credit_line("Jane Doe/Reuters"));
        assert!(is_credit_line("Photo by Jane Doe"));
        assert!(is_credit_line("Ảnh: Văn Huy"));
        assert!(is_credit_line("Courtesy of the artist"));
        assert!(is_credit_line("Image used under license from Shutterstock"));
        assert!(is_credit_line("© Shutterstock"));
    }

    #[test]
    fn a_line_about_photos_or_a_bare_label_is_no_credit() {
        use super::is_credit_line;
        assert!(!is_credit_line("Credits:"));
        assert!(!is_credit_line(
            "Photos of the flood reached the governor on Monday."
        ));
        assert!(!is_credit_line("Source: Bureau of Labor Statistics"));
        assert!(!is_credit_line("The AP reported the vote count at noon."));
        assert!(!is_credit_line("© Apple Inc. All rights reserved"));
        assert!(!is_credit_line(
            "Image: a photo editor's guide to the camera settings that matter most for travel and street photography"
        ));
    }

    #[test]
    fn photo_credits_in_other_languages_leave_the_caption() {
        assert_eq!(
            split("Der Bürgermeister bei der Eröffnung. Bild: Jane Doe"),
            (
                "Der Bürgermeister bei der Eröffnung.".into(),
                Some("Bild: Jane Doe".into())
            )
        );
        assert_eq!(
            split("Спасатели на месте аварии. Фото: ТАСС"),
            (
                "Спасатели на месте аварии.".into(),
                Some("Фото: ТАСС".into())
            )
        );
        assert_eq!(
            split("Die Unglücksstelle am Morgen (dpa)"),
            ("Die Unglücksstelle am Morgen".into(), Some("dpa".into()))
        );
        assert!(super::is_credit_line("Imagen: Jane Doe / Reuters"));
        assert_eq!(
            split("消防员在现场救援。图：新华社"),
            ("消防员在现场救援。".into(), Some("图：新华社".into()))
        );
    }

    #[test]
    fn captions_without_a_credit_stay_whole() {
        assert_eq!(split("Ảnh minh họa."), ("Ảnh minh họa.".into(), None));
        assert_eq!(
            split("The mayor (left) and the council."),
            ("The mayor (left) and the council.".into(), None)
        );
        assert_eq!(
            split("Workers repair the road (file)"),
            ("Workers repair the road (file)".into(), None)
        );
    }
}
