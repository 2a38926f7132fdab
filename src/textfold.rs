//! Folding Vietnamese text for comparison and search, never for storage (stored text keeps
//! every mark, in NFC).
//!
//! Folding drops every combining mark and maps đ to d, so the old and new tone placements
//! ("hóa"/"hoá", "thủy"/"thuỷ"), NFD and NFC spellings, and a search typed without diacritics
//! all meet. Used for the full-text index, search queries and near-duplicate fingerprints; every
//! folding of search text happens here, so what is indexed and what is asked always agree.

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

/// A story's text as the full-text index holds it: title, lead and body, each in
/// [`index_form`]. Computed once, off the writer thread, by whoever hands a story to the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchText {
    pub title: String,
    pub lead: String,
    pub body: String,
}

impl SearchText {
    /// The index form of a story's three indexed columns.
    pub fn of(title: &str, lead: Option<&str>, body: &str) -> Self {
        Self::of_folded(
            &fold_search(title),
            &fold_search(lead.unwrap_or("")),
            &fold_search(body),
        )
    }

    /// The same from text already folded by [`fold_search`] (the body is also fingerprinted).
    pub fn of_folded(title: &str, lead: &str, body: &str) -> Self {
        Self {
            title: index_form(title),
            lead: index_form(lead),
            body: index_form(body),
        }
    }
}

/// Folded text as the full-text index stores it: its words, one space apart, and after each
/// word that has a `d`, the same word once more with every `d` written `đ`.
///
/// The second spelling is for tools that query the index without folding the query first
/// (the `sqlite3` shell, Python, Datasette's `?_search=`): SQLite's own tokenizer
/// (`unicode61 remove_diacritics 2`) drops tone and vowel marks but keeps `đ`, a letter of
/// its own, so "đất" reaches the index as `đat`. With both spellings stored, `đất`, `dat`
/// and `Đất` typed anywhere find the same stories as `tindex search`. It costs one more
/// token per d-word, and word positions (the index keeps none: `detail = column`) are not
/// disturbed. A word with several `d`s (not Vietnamese: one syllable has one initial) gets
/// the all-`đ` spelling only.
pub fn index_form(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len() + folded.len() / 4);
    for w in words(folded) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
        if w.contains('d') {
            out.push(' ');
            out.extend(w.chars().map(|c| if c == 'd' { 'đ' } else { c }));
        }
    }
    out
}

/// Folded words of `text`, each followed by one space and the line led by one: `" a b c "`,
/// so that a phrase `" b c "` is found only on word boundaries.
pub fn word_line(text: &str) -> String {
    let folded = fold_search(text);
    let mut line = String::with_capacity(folded.len() + 2);
    line.push(' ');
    for w in words(&folded) {
        line.push_str(w);
        line.push(' ');
    }
    line
}

/// The folded words of a search query, and its phrases (the words between a pair of double
/// quotes, as [`word_line`]s). An unpaired quote makes no phrase: it is just dropped.
pub fn parse_query(query: &str) -> (Vec<String>, Vec<String>) {
    let words = words(&fold_search(query)).map(str::to_string).collect();
    let parts: Vec<&str> = query.split('"').collect();
    let phrases = if parts.len() % 2 == 1 {
        parts
            .iter()
            .skip(1)
            .step_by(2)
            .map(|p| word_line(p))
            .filter(|p| p.split_whitespace().count() > 1)
            .collect()
    } else {
        Vec::new()
    };
    (words, phrases)
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

    /// SQLite's tokenizer keeps đ: an unfolded query "đất" must still meet the index.
    #[test]
    fn index_form_spells_d_words_both_ways() {
        assert_eq!(
            index_form(&fold_search("Đất đai, Đà Nẵng: thi hành án.")),
            "dat đat dai đai da đa nang thi hanh an"
        );
    }
}
