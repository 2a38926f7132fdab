//! Folding Vietnamese text for comparison and search, never for storage (stored text keeps
//! every mark, in NFC).
//!
//! Folding drops every combining mark and maps đ to d, so the old and new tone placements
//! ("hóa"/"hoá", "thủy"/"thuỷ"), NFD and NFC spellings, and a search typed without diacritics
//! all meet. Used for the full-text index, search queries and near-duplicate fingerprints.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// The words of folded text: runs of letters and digits, as search queries, phrases and
/// fingerprints take them.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Lower-cased, every combining mark removed, đ → d.
///
/// Each character is decomposed on its own: marks are dropped, so the canonical reordering a
/// full NFD pass would do is not needed, and ASCII (most of any text) takes a fast path.
pub fn fold_search(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        decompose_canonical(c, |d| {
            if is_combining_mark(d) {
                return;
            }
            match d {
                'đ' | 'Đ' => out.push('d'),
                d => out.extend(d.to_lowercase()),
            }
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn tone_placement_and_normal_form_fold_equal() {
        assert_eq!(fold_search("Hoá"), fold_search("hóa"));
        assert_eq!(fold_search("thuỷ"), fold_search("thủy"));
        let nfd: String = "Văn hóa".nfd().collect();
        assert_eq!(fold_search(&nfd), "van hoa");
    }

    #[test]
    fn all_marks_and_dotted_d_are_dropped() {
        assert_eq!(fold_search("Đường Trường Sơn"), "duong truong son");
        assert_eq!(fold_search("Pháp luật"), "phap luat");
        assert_eq!(fold_search("ĂÂÊÔƠƯ ăâêôơư"), "aaeoou aaeoou");
    }
}
