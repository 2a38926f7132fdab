//! The author's bio printed after the article ("Jane Doe is a freelance writer…", under
//! "About the author"): the site's furniture around every story, not the story.
//!
//! A bio sits in the same container as the article on many blogs and magazines, as plain
//! paragraphs, so no class or link test removes it. It is told by the names the byline
//! gave and by what a bio says (a role: writer, editor, founder): a story that merely ends
//! on its author's desk ("Fox News Digital has reached out…") stays whole.

use super::furniture;
use super::walk::Block;

/// Blocks at the end of the body searched for a bio.
const TAIL_BLOCKS: usize = 4;

/// Longest paragraph read as a bio, in characters (a few sentences).
const MAX_BIO_CHARS: usize = 700;

/// Most blocks a bio runs to, with its heading, role line and links.
const MAX_BIO_BLOCKS: usize = 4;

/// Words of a bio's opening searched for a role.
const ROLE_WORDS: usize = 16;

/// Headings of a bio box, folded.
const HEADINGS: &[&str] = &[
    "about the author",
    "about the writer",
    "about the authors",
    "about me",
    "author bio",
    "về tác giả",
];

/// Words that follow the name at the start of a bio ("Jane Doe is…", "Jane writes…").
const BIO_VERBS: &[&str] = &[
    "is", "was", "writes", "covers", "joined", "lives", "holds", "teaches", "leads", "serves",
];

/// Roles a bio gives its author, lower case (matched as the start of a word, so "editor"
/// also reads "editorial", "founder" "co-founder").
const ROLES: &[&str] = &[
    "writer",
    "author",
    "editor",
    "reporter",
    "journalist",
    "correspondent",
    "columnist",
    "contributor",
    "photographer",
    "founder",
    "owner",
    "director",
    "ceo",
    "cto",
    "chief",
    "president",
    "officer",
    "partner",
    "manager",
    "engineer",
    "scientist",
    "designer",
    "developer",
    "teacher",
    "physician",
    "doctor",
    "attorney",
    "lawyer",
    "professor",
    "faculty",
    "researcher",
    "analyst",
    "expert",
    "specialist",
    "consultant",
    "professional",
    "marketer",
    "strategist",
    "lecturer",
    "student",
    "phóng viên",
    "nhà báo",
    "biên tập",
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
        let start = if furniture::is_heading_of(&b.text, HEADINGS) {
            i
        } else if authors.iter().any(|a| opens_bio(&b.text, a)) {
            // A role line ("Contributing Writer") just above goes too.
            match prev {
                Some(p) if i > 1 && is_role_line(p) => i - 1,
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

/// The first word of a name.
fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// Whether `text` opens with a first name and reads as a bio ("Joe is the co-founder…").
fn opens_first_name_bio(text: &str, first: &str) -> bool {
    first.chars().count() >= 3 && reads_as_bio_of(text, first)
}

/// Whether `text` opens with `name` and reads as a bio ("Jane Doe is…"). A one-word byline is
/// mostly a brand, whose closing pitch ("Budlong is dedicated to…") is the post's own.
fn opens_bio(text: &str, name: &str) -> bool {
    name.split_whitespace().nth(1).is_some() && reads_as_bio_of(text, name)
}

/// Whether a short paragraph opens with `name` and a bio verb, and gives a role early on.
fn reads_as_bio_of(text: &str, name: &str) -> bool {
    if text.chars().count() > MAX_BIO_CHARS {
        return false;
    }
    let Some(rest) = text.strip_prefix(name).filter(|r| r.starts_with(' ')) else {
        return false;
    };
    let mut words = rest.split_whitespace();
    if !words.next().is_some_and(|w| BIO_VERBS.contains(&w)) {
        return false;
    }
    let opening: String = words
        .take(ROLE_WORDS)
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    opening
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| ROLES.iter().any(|r| w.starts_with(r)))
        || ROLES
            .iter()
            .filter(|r| r.contains(' '))
            .any(|r| opening.contains(r))
}

/// A short title-case line above a bio: a role ("Contributing Writer", "Founder and CEO")
/// or the author's name; a subhead of the story reads as a phrase.
fn is_role_line(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    (1..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.starts_with(char::is_uppercase) || matches!(*w, "and" | "of" | "&" | "the" | "at")
        })
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
                unlinked_words: 0,
                longest_link_words: 0,
                bold_chars: 0,
                right_aligned: false,
                in_list: false,
                after_lead_in: false,
            })
            .collect()
    }

    const STORY: &str = "The council met on Monday evening and voted to approve the budget.";

    fn jane() -> Vec<String> {
        vec!["Jane Doe".to_owned()]
    }

    #[test]
    fn a_bio_opening_with_the_bylines_name_and_its_role_line_end_the_article() {
        let b = blocks(&[
            STORY,
            STORY,
            "Contributing Writer",
            "Jane Doe is a freelance writer living in Hanoi.",
        ]);
        assert_eq!(start(&b, &jane()), Some(2));
    }

    #[test]
    fn a_bio_naming_a_marketing_professional_is_a_bio() {
        let b = blocks(&[
            STORY,
            STORY,
            "Jane Doe is a growth-focused marketing professional specializing in health care.",
        ]);
        assert_eq!(start(&b, &jane()), Some(2));
    }

    #[test]
    fn a_first_name_bio_under_the_whole_name_is_a_bio() {
        let b = blocks(&[STORY, "Joe Kindness", "Joe is the co-founder of an agency."]);
        assert_eq!(start(&b, &["Joe Kindness".to_owned()]), Some(1));
    }

    #[test]
    fn an_about_the_author_heading_opens_a_bio() {
        let b = blocks(&[STORY, STORY, "About the author:", "I write about folklore."]);
        assert_eq!(start(&b, &[]), Some(2));
    }

    #[test]
    fn a_story_ending_on_another_person_stays() {
        let b = blocks(&[STORY, "John Roe is the mayor and spoke last."]);
        assert_eq!(start(&b, &jane()), None);
    }

    #[test]
    fn a_name_running_into_a_longer_word_is_no_bio() {
        let b = blocks(&[STORY, "Jane Doesn't agree, the mayor said."]);
        assert_eq!(start(&b, &jane()), None);
    }

    #[test]
    fn a_desk_byline_closing_its_own_story_stays() {
        // The byline is a desk; its last line says what the desk did, no role.
        let b = blocks(&[
            STORY,
            "What comes next",
            "Fox News Digital has reached out to the ministry for comment.",
        ]);
        assert_eq!(start(&b, &["Fox News Digital".to_owned()]), None);
        let b = blocks(&[
            STORY,
            "Fox News Digital is awaiting a reply from the ministry.",
        ]);
        assert_eq!(start(&b, &["Fox News Digital".to_owned()]), None);
    }

    #[test]
    fn a_brands_pitch_is_no_bio() {
        let b = blocks(&[STORY, "QCY is already embracing these trends."]);
        assert_eq!(start(&b, &["QCY Official".to_owned()]), None);
        let b = blocks(&[
            STORY,
            "Budlong is dedicated to its clients as a plumbing expert.",
        ]);
        assert_eq!(start(&b, &["Budlong".to_owned()]), None);
    }

    #[test]
    fn a_bio_with_nothing_of_the_article_before_it_is_left() {
        let b = blocks(&["Jane Doe is a reporter.", STORY]);
        assert_eq!(start(&b, &jane()), None);
    }
}
