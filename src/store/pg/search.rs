//! Full-text search on the shared store: the search vector and the query are built here, in
//! PostgreSQL's text forms, from the words `textfold` gives both stores, instead of by
//! PostgreSQL's text parser. The words were found once already (folded, split on what is
//! not a letter or digit); parsing them again in the server cost 1.7 ms a story, half of
//! writing it, and the same words on both sides keep what is indexed and what is asked equal.

use std::collections::HashMap;
use std::fmt::Write;

use crate::textfold::SearchText;

/// Most bytes of a story's words indexed: a `tsvector` must stay under 1 MB (its words and
/// their positions), and a hostile page's megabytes of distinct words would otherwise fail
/// its batch for ever. Far above any article (a long one is 50 KB).
const MAX_INDEXED_BYTES: usize = 256 * 1024;

/// PostgreSQL's limits: a lexeme's bytes, positions kept per lexeme, the largest position.
const MAX_LEXEME_BYTES: usize = 2046;
const MAX_POSITIONS: usize = 256;
const MAX_POSITION: usize = 16_383;

/// The story's `tsvector` as text (`'word':1A,7 'other':2B …`): title words weighted A, lead
/// B, body D, positions counted across the three as `to_tsvector(title) || …` would.
pub fn tsvector(s: &SearchText) -> String {
    let mut lexemes: HashMap<&str, Vec<(usize, char)>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    let mut left = MAX_INDEXED_BYTES;
    let mut position = 0;
    'parts: for (text, weight) in [(&s.title, 'A'), (&s.lead, 'B'), (&s.body, 'D')] {
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let Some(rest) = left.checked_sub(word.len()) else {
                break 'parts;
            };
            left = rest;
            position += 1;
            if word.len() > MAX_LEXEME_BYTES {
                continue;
            }
            let at = lexemes.entry(word).or_insert_with(|| {
                order.push(word);
                Vec::new()
            });
            if at.len() < MAX_POSITIONS {
                at.push((position.min(MAX_POSITION), weight));
            }
        }
    }
    let mut out = String::with_capacity(s.title.len() + s.lead.len() + s.body.len());
    for word in order {
        if !out.is_empty() {
            out.push(' ');
        }
        quote(word, &mut out);
        for (i, (position, weight)) in lexemes[word].iter().enumerate() {
            out.push(if i == 0 { ':' } else { ',' });
            let _ = write!(out, "{position}");
            if *weight != 'D' {
                out.push(*weight);
            }
        }
    }
    out
}

/// A `tsquery` as text asking for every one of `words` (folded, as `parse_query` gives them).
pub fn all_of(words: &[String]) -> String {
    let mut out = String::new();
    for w in words.iter().filter(|w| w.len() <= MAX_LEXEME_BYTES) {
        if !out.is_empty() {
            out.push_str(" & ");
        }
        quote(w, &mut out);
    }
    out
}

/// `word` as a quoted lexeme: inside single quotes, a quote or backslash escaped.
fn quote(word: &str, out: &mut String) {
    out.push('\'');
    for c in word.chars() {
        if matches!(c, '\'' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_keeps_its_positions_and_its_part_of_the_story_as_a_weight() {
        let s = SearchText::of("Thi hành án", Some("Án dân sự"), "thi hành án dân sự");
        let v = tsvector(&s);
        assert_eq!(
            v,
            "'thi':1A,8 'hanh':2A,9 'an':3A,4B,10 'dan':5B,11 'đan':6B,12 'su':7B,13"
        );
    }

    #[test]
    fn a_quote_or_backslash_in_a_word_cannot_end_the_lexeme() {
        let s = SearchText {
            title: "it's a\\b".into(),
            lead: String::new(),
            body: String::new(),
        };
        assert_eq!(tsvector(&s), r"'it\'s':1A 'a\\b':2A");
        assert_eq!(all_of(&["o'x".into(), "y".into()]), r"'o\'x' & 'y'");
    }

    #[test]
    fn a_story_of_megabytes_is_indexed_up_to_the_cap() {
        let body: String = (0..200_000).map(|i| format!("w{i} ")).collect();
        let s = SearchText {
            title: "t".into(),
            lead: String::new(),
            body,
        };
        let v = tsvector(&s);
        assert!(v.len() < 4 * MAX_INDEXED_BYTES, "{} bytes", v.len());
        assert!(v.contains(&format!("':{MAX_POSITION}")), "positions capped");
    }
}
