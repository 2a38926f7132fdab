//! Folding Vietnamese text for comparison and search, never for storage (stored text keeps
//! every mark, in NFC).
//!
//! Two strengths: [`fold_tones`] drops only the five tone marks, so the old and new tone
//! placements ("hóa"/"hoá", "thủy"/"thuỷ") and NFD/NFC spellings compare equal while vowel
//! qualities (â, ê, ô, ơ, ư, ă) still tell words apart — used for fingerprints. [`fold_search`]
//! drops every mark and maps đ to d, so a search typed without diacritics finds the word.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Grave, acute, tilde, hook above, dot below: the Vietnamese tone marks.
fn is_tone_mark(c: char) -> bool {
    matches!(c, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}')
}

/// Lower-cased, tone marks removed, other marks kept (NFC).
pub fn fold_tones(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_tone_mark(*c))
        .flat_map(char::to_lowercase)
        .nfc()
        .collect()
}

/// Lower-cased, every combining mark removed, đ → d.
pub fn fold_search(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_placement_and_normal_form_fold_equal() {
        assert_eq!(fold_tones("Hoá"), fold_tones("hóa"));
        assert_eq!(fold_tones("thuỷ"), fold_tones("thủy"));
        let nfd: String = "Văn hóa".nfd().collect();
        assert_eq!(fold_tones(&nfd), "văn hoa");
        assert_ne!(
            fold_tones("bán"),
            fold_tones("bận"),
            "vowel quality is kept"
        );
    }

    #[test]
    fn search_folding_drops_all_marks_and_dotted_d() {
        assert_eq!(fold_search("Đường Trường Sơn"), "duong truong son");
        assert_eq!(fold_search("Pháp luật"), "phap luat");
    }
}
