//! Text normalisation: string functions only, no DOM.
//!
//! Every string that leaves the extractor goes through [`clean`], so that
//! NFD pages, numeric character references (already decoded by the parser),
//! non-breaking spaces and zero-width characters all end up as the same
//! NFC, single-spaced text.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Collapses every run of whitespace (NBSP included) to one space, trims,
/// drops zero-width characters and NUL, and returns NFC text, because the farm and
/// real Vietnamese sites mix NFD and NFC and stored text must compare equal.
pub fn clean(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    // Kept characters are copied a run at a time; the scan is over bytes, as
    // every text node of the article goes through here.
    let mut run: Option<usize> = None;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        // ASCII first: most text is, and a byte settles it.
        let (len, space, invisible) = if c.is_ascii() {
            // NUL (JSON's `\u0000`): no text means it, and PostgreSQL refuses it.
            (1, c == b' ' || (b'\t'..=b'\r').contains(&c), c == 0)
        } else {
            let len = utf8_len(c);
            let ch = b.get(i..i + len).unwrap_or_default();
            let space = is_space(ch);
            (len, space, !space && is_invisible(ch))
        };
        if space || invisible {
            if let Some(start) = run.take() {
                out.push_str(s.get(start..i).unwrap_or_default());
            }
            pending_space |= space;
        } else if run.is_none() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            run = Some(i);
        }
        i += len;
    }
    if let Some(start) = run {
        out.push_str(s.get(start..).unwrap_or_default());
    }
    if surely_nfc(&out) {
        return out;
    }
    // The quick check settles almost all the rest without the much slower
    // full normalisation.
    match is_nfc_quick(out.chars()) {
        IsNormalized::Yes => out,
        _ => out.nfc().collect(),
    }
}

/// Zero-width space/joiner, BOM, soft hyphen, word joiner (NUL, the one ASCII case, is
/// tested apart): characters no text means.
fn is_invisible(ch: &[u8]) -> bool {
    matches!(
        ch,
        [0xE2, 0x80, 0x8B | 0x8D] | [0xEF, 0xBB, 0xBF] | [0xC2, 0xAD] | [0xE2, 0x81, 0xA0]
    )
}

/// Length of the UTF-8 sequence starting with byte `c` (1 for a stray
/// continuation byte, which valid `str` never has at a char start).
fn utf8_len(c: u8) -> usize {
    match c {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// Whether the UTF-8 sequence `ch` is a `char::is_whitespace` character:
/// ASCII \t \n \v \f \r and space, U+0085, U+00A0, U+1680, U+2000..U+200A,
/// U+2028, U+2029, U+202F, U+205F, U+3000.
fn is_space(ch: &[u8]) -> bool {
    matches!(
        ch,
        [b'\t'..=b'\r' | b' ']
            | [0xC2, 0x85 | 0xA0]
            | [0xE1, 0x9A, 0x80]
            | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF]
            | [0xE2, 0x81, 0x9F]
            | [0xE3, 0x80, 0x80]
    )
}

/// True when every character is below U+0300 or in U+1E00..U+1EFF (Latin
/// Extended Additional, where precomposed Vietnamese letters live): such
/// characters are all NFC and never combine, so the text is NFC as it is.
/// A byte test, much cheaper than the per-character quick check.
fn surely_nfc(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            // ASCII, continuation bytes, and lead bytes of U+0080..U+02FF.
            ..0xCC => i += 1,
            0xE1 if matches!(b.get(i + 1), Some(0xB8..=0xBB)) => i += 3,
            _ => return false,
        }
    }
    true
}

/// Lower-cased, cleaned form used to compare strings (title vs og:title,
/// lead vs first paragraph, caption dedup) independent of case and spacing.
pub fn fold(s: &str) -> String {
    clean(s).to_lowercase()
}

/// Number of non-whitespace characters; the unit for every density figure,
/// so that indentation in the source does not count as text.
pub fn count_chars(s: &str) -> usize {
    count_chars_commas(s).0
}

/// Non-whitespace characters and commas (`,` `،` `，`) of `s` in one pass
/// over the bytes: every text node of every page goes through here, and
/// decoding each char to ask `char::is_whitespace` costs several times more.
pub fn count_chars_commas(s: &str) -> (usize, usize) {
    let b = s.as_bytes();
    let (mut chars, mut commas) = (0usize, 0usize);
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c < 0x80 {
            // The common case, kept apart: it is most of any text and three times faster so.
            chars += usize::from(!is_space(&[c]));
            commas += usize::from(c == b',');
            i += 1;
            continue;
        }
        let len = utf8_len(c);
        let ch = b.get(i..i + len).unwrap_or_default();
        chars += usize::from(!is_space(ch));
        commas += usize::from(matches!(ch, [0xD8, 0x8C] | [0xEF, 0xBC, 0x8C]));
        i += len;
    }
    (chars, commas)
}

/// Lower case that keeps every character's byte length (a character whose lower case is
/// longer or shorter, such as `İ` or `ẞ`, stays as it is), so that byte positions found in
/// the copy are positions in the original.
pub(crate) fn lower_same_len(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) if x.len_utf8() == c.len_utf8() => x,
                _ => c,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_collapses_nbsp_and_zero_width() {
        assert_eq!(clean("  a\u{00A0}\u{00A0}b\u{200B}c \n d "), "a bc d");
    }

    #[test]
    fn clean_makes_nfc() {
        let nfd = "Ho\u{0300}a";
        assert_eq!(clean(nfd), "Hòa");
    }

    /// The byte-level count must agree with the char-level definition on
    /// any text, Unicode whitespace and multi-byte commas included.
    fn naive(s: &str) -> (usize, usize) {
        (
            s.chars().filter(|c| !c.is_whitespace()).count(),
            s.chars().filter(|c| matches!(c, ',' | '،' | '，')).count(),
        )
    }

    #[test]
    fn counts_every_unicode_space() {
        let spaces: String = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        let s = format!("a,{spaces}b،c，đ\u{1F600}");
        assert_eq!(count_chars_commas(&s), naive(&s));
        assert_eq!(count_chars_commas(&s), (8, 3));
    }

    proptest::proptest! {
        #[test]
        fn byte_count_matches_char_count(s in "(\\PC|\\s|[,،，\u{2000}-\u{200B}\u{3000}])*") {
            proptest::prop_assert_eq!(count_chars_commas(&s), naive(&s));
        }
    }

    #[test]
    fn fast_nfc_ranges_hold_only_plain_nfc_characters() {
        use unicode_normalization::char::canonical_combining_class;
        let ranges = [0..0x300u32, 0x1E00..0x1F00];
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert!(surely_nfc(c.encode_utf8(&mut [0; 4])), "{c:?}");
        }
        assert!(!surely_nfc("Ho\u{0300}a"));
        assert!(!surely_nfc("\u{1F00}"));
        assert!(surely_nfc("Thi hành án dân sự, Đặng Thủy"));
    }

    proptest::proptest! {
        #[test]
        fn clean_matches_char_by_char(s in "(\\PC|\\s|[\u{0}\u{200B}\u{200D}\u{FEFF}\u{00AD}\u{2060}\u{0300}-\u{0323}])*") {
            let mut slow = String::new();
            let mut pending = false;
            for c in s.chars() {
                if c.is_whitespace() {
                    pending = true;
                    continue;
                }
                if matches!(c, '\0' | '\u{200B}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}' | '\u{2060}') {
                    continue;
                }
                if pending && !slow.is_empty() {
                    slow.push(' ');
                }
                pending = false;
                slow.push(c);
            }
            let slow: String = slow.nfc().collect();
            proptest::prop_assert_eq!(clean(&s), slow);
        }
    }
}
