//! The author's bio printed after the article ("Jane Doe is a freelance writer…", under
//! "About the author"): the site's furniture around every story, not the story.
//!
//! A bio sits in the same container as the article on many blogs and magazines, as plain
//! paragraphs, so no class or link test removes it. It is told by the names the byline
//! gave: a body that merely ends on some person stays whole.

use super::text::fold;
use super::walk::Block;

/// Blocks at the end of the body searched for a bio.
const TAIL_BLOCKS: usize = 4;

/// Longest paragraph read as a bio, in characters (a few sentences).
const MAX_BIO_CHARS: usize = 700;

/// Most blocks a bio runs to, with its heading, role line and links.
const MAX_BIO_BLOCKS: usize = 4;

/// Headings of a bio box, folded.
const HEADINGS: &[&str] = &[
    "about the author",
    "about the writer",
    "about the authors",
    "about me",
    "author bio",
    "về tác giả",
];

/// Words that follow the name at the start of a bio ("Jane Doe is…", "Joe has…").
const BIO_VERBS: &[&str] = &[
    "is", "was", "has", "writes", "covers", "joined", "lives", "holds", "teaches", "leads",
    "serves", "works", "loves",
];

/// Where a trailing author bio starts, if the body ends with one. At least one block of
/// the article stays before it.
pub(crate) fn start(blocks: &[Block], authors: &[String]) -> Option<usize> {
    let n = blocks.len();
    let from = n.saturating_sub(TAIL_BLOCKS).max(1);
    (from..n).find_map(|i| {
        let b = blocks.get(i)?;
        let prev = i
            .checked_sub(1)
            .and_then(|j| blocks.get(j))
            .map(|p| p.text.trim());
        let start = if is_heading(&b.text) {
            i
        } else if authors.iter().any(|a| opens_bio(&b.text, a)) {
            // A role line ("Contributing Writer") just above goes too.
            match prev {
                Some(p) if i > 1 && is_label(p) => i - 1,
                _ => i,
            }
        } else if let Some(name) = authors.iter().find(|a| prev == Some(a.as_str()))
            && i > 1
            && opens_first_name_bio(&b.text, first_name(name))
        {
            // "Joe Kindness", then "Joe is the co-founder…": the first name only under the
            // whole one (a brand's first word opens its own pitch: "QCY is already…").
            i - 1
        } else {
            return None;
        };
        (n - start <= MAX_BIO_BLOCKS).then_some(start)
    })
}

fn is_heading(text: &str) -> bool {
    text.chars().count() <= 40 && {
        let f = fold(text);
        HEADINGS.contains(&f.trim_end_matches([':', '.', ' ']))
    }
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// Whether `text` opens with a first name and a bio verb ("Joe is the co-founder…").
fn opens_first_name_bio(text: &str, first: &str) -> bool {
    first.chars().count() >= 3 && opens_with(text, first)
}

/// Whether `text` opens with `name` and a bio verb ("Jane Doe is…"). A one-word byline is
/// mostly a brand, whose closing pitch ("Budlong is dedicated to…") is the post's own.
fn opens_bio(text: &str, name: &str) -> bool {
    name.split_whitespace().nth(1).is_some() && opens_with(text, name)
}

/// Whether a short paragraph opens with `name` and a bio verb.
fn opens_with(text: &str, name: &str) -> bool {
    text.chars().count() <= MAX_BIO_CHARS
        && text.strip_prefix(name).is_some_and(|rest| {
            rest.starts_with(' ')
                && rest
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| BIO_VERBS.contains(&w))
        })
}

/// A short line above a bio: a role ("Contributing Writer", "Founder and CEO") or an
/// author's name alone.
fn is_label(text: &str) -> bool {
    text.split_whitespace().count() <= 4 && !text.ends_with(['.', '!', '?', ':'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::walk::BlockKind;

    fn blocks(texts: &[&str]) -> Vec<Block> {
        texts
            .iter()
            .map(|t| Block {
                text: (*t).to_owned(),
                kind: BlockKind::Paragraph,
                chars: t.chars().count(),
                link_chars: 0,
                away_link_chars: 0,
                bold_chars: 0,
                right_aligned: false,
                in_list: false,
                after_lead_in: false,
            })
            .collect()
    }

    const STORY: &str = "The council met on Monday evening and voted to approve the budget.";

    #[test]
    fn a_bio_opening_with_the_bylines_name_ends_the_article() {
        let b = blocks(&[
            STORY,
            STORY,
            "Contributing Writer",
            "Jane Doe is a freelance writer living in Hanoi.",
        ]);
        assert_eq!(start(&b, &["Jane Doe".to_owned()]), Some(2));
    }

    #[test]
    fn a_first_name_bio_under_the_name_and_an_about_heading_are_bios() {
        let b = blocks(&[STORY, "Joe Kindness", "Joe is the co-founder of an agency."]);
        assert_eq!(start(&b, &["Joe Kindness".to_owned()]), Some(1));
        let b = blocks(&[STORY, STORY, "About the author:", "I write about folklore."]);
        assert_eq!(start(&b, &[]), Some(2));
    }

    #[test]
    fn an_article_ending_on_another_person_or_a_name_mid_sentence_stays() {
        let b = blocks(&[STORY, "John Roe is the mayor and spoke last."]);
        assert_eq!(start(&b, &["Jane Doe".to_owned()]), None);
        let b = blocks(&[STORY, "Jane Doesn't agree, the mayor said."]);
        assert_eq!(start(&b, &["Jane Doe".to_owned()]), None);
        // A brand's first word opening its pitch is no first name.
        let b = blocks(&[STORY, "QCY is already embracing these trends."]);
        assert_eq!(start(&b, &["QCY Official".to_owned()]), None);
        let b = blocks(&[STORY, "Budlong is dedicated to its clients."]);
        assert_eq!(start(&b, &["Budlong".to_owned()]), None);
        // Nothing of the article would be left.
        let b = blocks(&["Jane Doe is a reporter.", STORY]);
        assert_eq!(start(&b, &["Jane Doe".to_owned()]), None);
    }
}
