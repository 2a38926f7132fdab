//! Short boilerplate lines that survive the generic content choice:
//! datelines ("Updated 1:39 am EST, November 20, 2019"), ad labels and
//! share/comment prompts ("Sharing is caring!", "Like this:").
//!
//! They sit in the same container as the article, often as plain
//! paragraphs, so no class or link-density test removes them; they are
//! recognised by their text instead.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::text::fold;

/// Whole-line prompts and labels, folded, without trailing marks.
const PROMPTS: &[&str] = &[
    "advertisement",
    "advert",
    "ad",
    "ads",
    "sponsored",
    "sponsored links",
    "sponsored content",
    "comment",
    "comments",
    "leave a comment",
    "leave a reply",
    "like this",
    "like loading",
    "sharing is caring",
    "share",
    "share this",
    "share this article",
    "share this story",
    "share this post",
    "share on facebook",
    "share on twitter",
    "tweet",
    "print",
    "email",
    "continue reading",
    "click here",
    "loading",
    "this slideshow requires javascript",
    "show caption",
    "hide caption",
    "copied",
    "link copied",
    "subscribe",
    "subscribe now",
    "log in",
    "sign in",
    "sign up",
    "home",
    "contact us",
    "privacy policy",
    "newsletters",
    "learn more",
    "get started",
    "share it",
    "back to top",
    "top of page",
    "bottom of page",
    // A feed widget with nothing in it.
    "no posts",
    // A contents box's heading and its toggle; the entries go as links.
    "table of contents",
    "table of contents show",
    "table of contents hide",
    "contents",
    "in this article",
    "on this page",
    "jump to",
    "jump to section",
    // A tag list's or a sponsor's label, a sign-up button.
    "tags",
    "tagged",
    "topics",
    "related topics",
    "in partnership with",
    "register",
    "get started for free",
    "start for free",
    "try it for free",
    "take the next step",
    // A byline's label left alone when the name is a link or an image elsewhere.
    "written by",
    "edited by",
    "reviewed by",
    "fact checked by",
    "published",
    "updated",
    "last updated",
    "quảng cáo",
    "chia sẻ",
    "bình luận",
    // The same labels on sites in other languages: an ad's label, then share, comments,
    // print and a tag list's label.
    "anzeige",
    "werbung",
    "gesponsert",
    "publicité",
    "sponsorisé",
    "publicidad",
    "publicidade",
    "patrocinado",
    "pubblicità",
    "advertentie",
    "reclame",
    "reklama",
    "reklam",
    "mainos",
    "annons",
    "annonse",
    "реклама",
    "διαφήμιση",
    "iklan",
    "إعلان",
    "广告",
    "廣告",
    "広告",
    "광고",
    "teilen",
    "artikel teilen",
    "partager",
    "partager cet article",
    "compartir",
    "compartilhar",
    "partilhar",
    "condividi",
    "delen",
    "udostępnij",
    "поделиться",
    "paylaş",
    "bagikan",
    "مشاركة",
    "分享",
    "シェア",
    "공유",
    "공유하기",
    "kommentare",
    "commentaires",
    "comentarios",
    "comentários",
    "commenti",
    "reacties",
    "komentarze",
    "комментарии",
    "yorumlar",
    "komentar",
    "تعليقات",
    "评论",
    "評論",
    "コメント",
    "댓글",
    // A comment form's heading, as WordPress and its kin print "Leave a Reply".
    "schreibe einen kommentar",
    "kommentar schreiben",
    "laisser un commentaire",
    "laisser une réponse",
    "deja una respuesta",
    "deja un comentario",
    "lascia un commento",
    "deixe um comentário",
    "deixe uma resposta",
    "geef een reactie",
    "dodaj komentarz",
    "добавить комментарий",
    "оставить комментарий",
    "добавить отзыв",
    "bir yanıt yazın",
    "tinggalkan balasan",
    "tinggalkan komentar",
    // A like button and its "Loading…" as blog hosts print "Like this:" and "Like Loading".
    "gefällt mir",
    "gefällt mir lade",
    "j'aime",
    "j’aime",
    "j'aime chargement",
    "j’aime chargement",
    "me gusta",
    "me gusta cargando",
    "curtir",
    "curtir isso",
    "curtir carregando",
    "mi piace",
    "mi piace caricamento",
    "drucken",
    "imprimer",
    "imprimir",
    "schlagwörter",
    "stichwörter",
    "mots-clés",
    "mots clés",
    "étiquettes",
    "etiquetas",
    "теги",
    "метки",
    "标签",
    "タグ",
    "태그",
];

/// [`PROMPTS`] as a set: every short block of every page is looked up.
static PROMPT_SET: LazyLock<HashSet<&str>> = LazyLock::new(|| PROMPTS.iter().copied().collect());

/// Openings of the web's stock lines that sit inside article containers: affiliate
/// disclosures, newsletter and share prompts, form messages, comment notes, sales calls.
/// Matched on short lines only, at the start, folded.
const STOCK_OPENINGS: &[&str] = &[
    "we earn a commission",
    "we may earn",
    "we may receive a commission",
    "as an amazon associate",
    "this post may contain affiliate links",
    "this article contains affiliate links",
    "disclosure: as an affiliate",
    "sign up for our newsletter",
    "sign up for the newsletter",
    "subscribe to our newsletter",
    "subscribe to the newsletter",
    "join our mailing list",
    "join our newsletter",
    "get our newsletter",
    "share this article",
    "share this post",
    "share this story",
    "share with a friend",
    "like what you see? share",
    "pin for later",
    "pin it for later",
    "all comments are moderated",
    "article continues below",
    "story continues below",
    "thank you! your submission has been received",
    "oops! something went wrong while submitting the form",
    "start your free trial",
    "no credit card required",
    "this article is exclusive to",
    "already a subscriber",
    "already have an account",
    "we independently evaluate",
    "we independently test",
    "we independently research",
    "products are chosen independently",
    "we are a reader-supported",
    "this story is funded by readers",
    "subscribe to our blog",
    "join medium for free",
    "pin this for later",
    "did you make this recipe",
    "did you make one of my recipes",
    "discussion about this post",
    "add a comment",
    "comment via",
    "summarize with ai",
    "loading posts",
    "loading comments",
    "contact us today",
    // A form's honeypot label and a captcha's notice.
    "this field is for validation purposes",
    "this site is protected by recaptcha",
    "this site is protected by hcaptcha",
    // Shop disclaimers, rating widgets' stock strings, copyright lines.
    "prices were accurate at the time",
    "prices are accurate at the time",
    "prices and availability are accurate",
    "if you buy through our links",
    "if you buy something through our links",
    "was this article helpful",
    "was this page helpful",
    "was this post helpful",
    "did you find this article helpful",
    "we are sorry that this post was not useful",
    "let us improve this post",
    "tell us how we can improve this post",
    "click on a star to rate it",
    // A photo's credit left in the text above or below it.
    "image credit:",
    "image credits:",
    "photo credit:",
    "photo credits:",
    "featured image:",
    "header image:",
    "cover image:",
    "download our free",
    "get the latest news",
    "stay in the loop",
    "share your story",
    "get the free ebook",
    "get our free ebook",
    "copyright ©",
    "© copyright",
    "all rights reserved",
    "đăng ký nhận tin",
];

/// Longest line checked against [`STOCK_OPENINGS`], in characters.
const STOCK_LINE_MAX_CHARS: usize = 160;

/// Whether the line is one of the web's stock lines (an affiliate disclosure, a newsletter
/// or share prompt, a form's "Thank you! Your submission has been received!").
pub(crate) fn is_stock_line(text: &str) -> bool {
    let chars = text.chars().count();
    if chars > STOCK_LINE_MAX_CHARS {
        return false;
    }
    let f = fold(text);
    let f = f.trim_start_matches(|c: char| !c.is_alphanumeric());
    STOCK_OPENINGS.iter().any(|o| f.starts_with(o))
        // "Join Our Genius Newsletter"; not "Join our fight," she said.
        || (f.starts_with("join our") && f.contains("newsletter"))
        || is_audience_pitch(f)
        || is_affiliate_disclosure(f)
        || is_typo_report(f)
        || (chars <= EDITOR_LINE_MAX_CHARS && is_editor_credit(f))
}

/// Whether a folded line asks readers to report a typo with a key press ("Нашли ошибку?
/// Выделите текст и нажмите Ctrl+Enter"): the key is named the same in every language, and
/// the line speaks of an error or of the editors ("Press Ctrl+Enter to run the cell" does
/// neither).
fn is_typo_report(f: &str) -> bool {
    (f.contains("ctrl+enter") || f.contains("ctrl + enter"))
        && [
            "ошибк",
            "опечат",
            "помилк",
            "błąd",
            "błęd",
            "kļūd",
            "klaid",
            "chyb",
            "typo",
            "mistake",
            "fehler",
            "erreur",
            "redakt",
            "rédaction",
            "редакц",
            "редактор",
        ]
        .iter()
        .any(|w| f.contains(w))
}

/// Longest line taken for an editor's credit, in characters.
const EDITOR_LINE_MAX_CHARS: usize = 40;

/// Whether a short folded line credits the editor in charge, as Chinese news pages do under
/// every article ("【责任编辑：张三】", "(責任編輯：李四)"); a byline, not the article's text.
fn is_editor_credit(f: &str) -> bool {
    f.contains("责任编辑") || f.contains("責任編輯")
}

/// Whether a folded line discloses affiliate earnings in any wording ("Disclosure: if you
/// buy through affiliate links, I may earn a small commission").
fn is_affiliate_disclosure(f: &str) -> bool {
    f.contains("affiliate link") && f.contains("commission")
}

/// Whether a folded line opens with a mailing list's head count ("Join 800,000+ subscribers
/// to get…", "Join 12,000 readers who…").
fn is_audience_pitch(f: &str) -> bool {
    // Asked of every short line: most are settled before their words are listed.
    if !f.starts_with("join") {
        return false;
    }
    let w = words(f);
    matches!(w.first(), Some(&"join"))
        && w.get(1).is_some_and(|n| is_number(n))
        && w.iter()
            .take(5)
            .any(|x| matches!(*x, "subscribers" | "readers" | "members"))
}

/// Whether the line is a template's placeholder text ("Lorem ipsum dolor sit amet…"),
/// which a theme prints in a box the site never filled: no article is written in it.
pub(crate) fn is_placeholder(text: &str) -> bool {
    // Asked of every paragraph of every page: no allocation.
    let t = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    t.get(..11)
        .is_some_and(|head| head.eq_ignore_ascii_case("lorem ipsum"))
}

/// Longest line taken for a dateline, in words.
const DATELINE_MAX_WORDS: usize = 16;

fn strip_marks(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ':' | '!' | '.' | ',' | '…' | '|' | '-' | '–' | '»' | '›' | '▼' | '▾' | '▲' | '▴'
            )
    })
}

/// Whether the whole line is an ad label, a share/comment prompt or a reading time.
pub(crate) fn is_prompt(text: &str) -> bool {
    if text.chars().count() > 40 {
        return false;
    }
    let f = fold(text);
    PROMPT_SET.contains(strip_marks(&f)) || is_reading_time(&f) || is_counter(&f) || is_page_of(&f)
}

/// The words of a folded line: runs of letters and digits.
fn words(f: &str) -> Vec<&str> {
    f.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether a word is all ASCII digits.
fn is_number(w: &str) -> bool {
    w.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a folded line is a pager's "Page 1 of 8" ("Trang 1 / 8", "Seite 1 von 8",
/// "Página 1 de 8", "Страница 1 из 8").
fn is_page_of(f: &str) -> bool {
    match words(f).as_slice() {
        [
            "page" | "trang" | "seite" | "página" | "pagina" | "страница",
            n,
            of,
            m,
        ] if matches!(*of, "of" | "von" | "sur" | "de" | "di" | "van" | "из") => {
            is_number(n) && is_number(m)
        }
        ["trang", n, m] => is_number(n) && is_number(m) && f.contains('/'),
        _ => false,
    }
}

/// Whether a short folded line is a counter ("1,693 views", "12 comments", "3 lượt xem").
fn is_counter(f: &str) -> bool {
    // Split on spaces only: "1,693" and "1.2k" are one number.
    let words: Vec<&str> = f.split_whitespace().collect();
    let (n, counted) = match words.as_slice() {
        [n, what] => (
            *n,
            matches!(
                *what,
                "view"
                    | "views"
                    | "comment"
                    | "comments"
                    | "share"
                    | "shares"
                    | "like"
                    | "likes"
                    // The same counters in other languages.
                    | "kommentar"
                    | "kommentare"
                    | "commentaire"
                    | "commentaires"
                    | "comentario"
                    | "comentarios"
                    | "comentário"
                    | "comentários"
                    | "commento"
                    | "commenti"
                    | "reacties"
                    | "komentarzy"
                    | "комментарий"
                    | "комментария"
                    | "комментариев"
                    | "просмотров"
                    | "yorum"
                    | "komentar"
                    | "aufrufe"
                    | "vues"
                    | "visitas"
                    | "visualizzazioni"
                    | "visualizações"
            ),
        ),
        [n, a, b] => (*n, matches!((*a, *b), ("lượt", "xem") | ("bình", "luận"))),
        _ => return false,
    };
    counted
        && n.starts_with(|c: char| c.is_ascii_digit())
        && n.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | 'k' | 'm'))
}

/// Whether a short folded line states a reading time ("13 MIN READ", "3 min. read",
/// "24 Apr 2000 • 3 min read", "Reading time: 4 minutes", "5 phút đọc", "5 Min. Lesezeit",
/// "5 min de lecture", "Время чтения: 5 минут"): it ends with a number, minutes and reading,
/// or opens with "reading time". "Dành 15 phút đọc sách mỗi ngày" goes on after them: a
/// sentence.
fn is_reading_time(f: &str) -> bool {
    let words = words(f);
    if words.len() > 8 || !words.iter().any(|w| is_number(w)) {
        return false;
    }
    let minutes = |w: &str| {
        matches!(
            w,
            "min"
                | "mins"
                | "minute"
                | "minutes"
                | "phút"
                | "minuten"
                | "minutos"
                | "minuto"
                | "minuti"
                | "minut"
                | "minuter"
                | "минут"
                | "минуты"
                | "мин"
                | "dk"
                | "dakika"
                | "menit"
        )
    };
    let reading = |w: &str| {
        matches!(
            w,
            "read"
                | "reading"
                | "đọc"
                | "lesezeit"
                | "lecture"
                | "lectura"
                | "lettura"
                | "leitura"
                | "leestijd"
                | "lästid"
                | "czytania"
                | "чтения"
                | "okuma"
                | "baca"
        )
    };
    // "5 min de lecture", "5 min di lettura": a joining word between the two.
    let ends_with_time = match words.as_slice() {
        [before @ .., n, m, "de" | "di" | "da", r] | [before @ .., n, m, r] => {
            is_number(n)
                && minutes(m)
                && reading(r)
                // The words of other languages only where the time is all the line says:
                // "Dedica cada día 15 minutos de lectura" is a sentence.
                && (matches!(*r, "read" | "reading" | "đọc") || before.len() <= 1)
        }
        _ => false,
    };
    ends_with_time
        || matches!(
            words.as_slice(),
            ["reading", "time", ..]
                | ["thời", "gian", "đọc", ..]
                | ["lesezeit", ..]
                | ["leestijd", ..]
                | ["lästid", ..]
                | ["temps", "de", "lecture", ..]
                | ["tiempo", "de", "lectura", ..]
                | ["tempo", "di", "lettura", ..]
                | ["tempo", "de", "leitura", ..]
                | ["время", "чтения", ..]
                | ["okuma", "süresi", ..]
        )
}

/// Whether the line is a short date/time stamp, possibly with a name
/// ("Associated Press November 19, 2019, 9:02 AM", "Posted: 18 Nov 2019"):
/// at most 16 words, not a sentence, and holding a clock time or a
/// year with a day.
pub(crate) fn is_dateline(text: &str) -> bool {
    let t = text.trim();
    if t.len() > 400
        || t.chars().count() > 100
        || t.split_whitespace().nth(DATELINE_MAX_WORDS).is_some()
    {
        return false;
    }
    if t.ends_with(['.', '!', '?', ':', '"', '”', '»']) {
        return false;
    }
    // Tweet attributions ("— Name (@handle) November 18, 2019") and
    // parenthesised notes belong to the article.
    if t.starts_with(['—', '–', '-', '(']) {
        return false;
    }
    // A year alone is a title ("2018 Tradition Series"); a date has a day
    // or a time next to it.
    has_clock_time(t) || (has_year(t) && digit_runs(t).count() >= 2)
}

/// A run of exactly four digits from 1990 to 2039.
fn has_year(t: &str) -> bool {
    digit_runs(t)
        .any(|run| run.len() == 4 && run.parse::<u32>().is_ok_and(|y| (1990..=2039).contains(&y)))
}

/// `h:mm` or `hh:mm`: one or two digits, a colon, exactly two digits.
fn has_clock_time(t: &str) -> bool {
    let chars: Vec<char> = t.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        if c != ':' {
            return false;
        }
        let digits = |s: &[char], rev: bool| {
            if rev {
                s.iter().rev().take_while(|c| c.is_ascii_digit()).count()
            } else {
                s.iter().take_while(|c| c.is_ascii_digit()).count()
            }
        };
        let before = digits(chars.get(..i).unwrap_or(&[]), true);
        let after = digits(chars.get(i + 1..).unwrap_or(&[]), false);
        (1..=2).contains(&before) && after == 2
    })
}

/// Maximal runs of ASCII digits.
fn digit_runs(t: &str) -> impl Iterator<Item = &str> {
    t.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dateline_with_agency_and_time() {
        assert!(is_dateline("Associated Press November 19, 2019, 9:02 AM"));
        assert!(is_dateline("Posted: Fri 6:45 PM, Feb 16, 2018 |"));
        assert!(is_dateline(
            "Updated 1:39 am EST, Wednesday, November 20, 2019"
        ));
        assert!(is_dateline("Cập nhật 10:15 ngày 22/10/2025"));
    }

    #[test]
    fn sentence_with_year_is_not_dateline() {
        assert!(!is_dateline("The law was passed in 2019."));
        assert!(!is_dateline("Revenue rose 12 percent"));
        assert!(!is_dateline(
            "2018 Jeongdong Theater Tradition Series Performance"
        ));
        assert!(!is_dateline("— Rep. Ilhan Omar (@Ilhan) November 19, 2019"));
        assert!(!is_dateline(
            "In 2016, the department reported that the number of young people using meth rose sharply"
        ));
    }

    #[test]
    fn an_affiliate_disclosure_in_any_wording_is_a_stock_line() {
        assert!(is_stock_line(
            "DISCLOSURE: If you buy through affiliate links, I may earn a small commission."
        ));
        assert!(!is_stock_line(
            "The shop pays its staff a commission on every sale, the owner said."
        ));
    }

    #[test]
    fn a_mailing_lists_head_count_is_a_pitch_not_an_invitation() {
        assert!(is_stock_line(
            "Join 800,000+ subscribers to get regular emails on neuroscience and health."
        ));
        assert!(!is_stock_line(
            "Join 40 volunteers on the trail this Saturday morning."
        ));
    }

    #[test]
    fn stock_lines_are_recognised_by_their_opening() {
        assert!(is_stock_line(
            "We earn a commission for products purchased through some links in this article."
        ));
        assert!(is_stock_line("Sign up for our newsletter"));
        assert!(is_stock_line(
            "Thank you! Your submission has been received!"
        ));
        assert!(is_stock_line(
            "This article is exclusive to STAT+ subscribers"
        ));
        assert!(is_stock_line(
            "We independently evaluate all of our recommendations. If you click on links we provide, we may receive compensation."
        ));
        assert!(is_stock_line("Discussion about this post"));
        assert!(is_stock_line("Join Our Genius Newsletter"));
        assert!(is_stock_line(
            "Prices were accurate at the time this article was published but may change over time."
        ));
        assert!(is_stock_line(
            "We are sorry that this post was not useful for you!"
        ));
        assert!(is_stock_line("Copyright © 2023 NPR. All rights reserved."));
        assert!(is_stock_line(
            "Get the latest news about our live events and online courses."
        ));
        // Mid-sentence or not at the start: the article's own words.
        assert!(!is_stock_line(
            "The council will share this article's findings with the ministry."
        ));
        assert!(!is_stock_line(
            "We earned little from the sale, the owners said."
        ));
        assert!(!is_stock_line("“Join our fight,” she told the crowd."));
    }

    #[test]
    fn placeholder_text_is_told_by_its_opening_only() {
        assert!(is_placeholder(
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor."
        ));
        assert!(!is_placeholder(
            "Typesetters have filled mock-ups with lorem ipsum since the 1500s."
        ));
    }

    #[test]
    fn prompts_match_whole_line_only() {
        assert!(is_prompt("Sharing is caring!"));
        assert!(is_prompt("Like this:"));
        assert!(is_prompt("ADVERTISEMENT"));
        assert!(is_prompt("Quảng cáo"));
        assert!(!is_prompt("Share prices fell on Monday"));
    }

    #[test]
    fn a_like_buttons_label_and_loading_note_in_other_languages_are_prompts() {
        assert!(is_prompt("Gefällt mir:"));
        assert!(is_prompt("Gefällt mir Lade..."));
        assert!(is_prompt("Me gusta Cargando..."));
        assert!(!is_prompt("Gefällt mir nicht, sagte sie."));
    }

    #[test]
    fn a_caption_toggle_and_a_copy_buttons_message_are_prompts() {
        assert!(is_prompt("Show Caption"));
        assert!(is_prompt("Link copied!"));
        assert!(!is_prompt("Copied from the 1906 survey map"));
    }

    #[test]
    fn a_forms_honeypot_label_and_a_captcha_notice_are_stock_lines() {
        assert!(is_stock_line(
            "This field is for validation purposes and should be left unchanged."
        ));
        assert!(is_stock_line(
            "This site is protected by hCaptcha and the hCaptcha Privacy Policy and Terms of \
             Service apply."
        ));
        assert!(!is_stock_line(
            "This site is protected by the state, and the rangers patrol it every day."
        ));
    }

    #[test]
    fn a_skip_anchor_and_an_empty_feed_are_prompts() {
        assert!(is_prompt("Bottom of page"));
        assert!(is_prompt("No posts"));
        assert!(!is_prompt(
            "No posts were left on the old trail after the storm."
        ));
    }

    #[test]
    fn a_contents_boxs_heading_is_a_prompt() {
        assert!(is_prompt("Table of Contents ▼"));
        assert!(is_prompt("Table of Contents Show"));
        assert!(!is_prompt("Contents of the report"));
    }

    #[test]
    fn a_byline_label_left_alone_is_a_prompt() {
        assert!(is_prompt("Reviewed by,"));
        assert!(is_prompt("PUBLISHED"));
        assert!(!is_prompt("Written by hand in 1820"));
    }

    #[test]
    fn a_pagers_page_line_is_a_prompt() {
        assert!(is_prompt("Page 1 of 8"));
        assert!(is_prompt("Trang 2 / 5"));
        assert!(!is_prompt("Page 1 of the report"));
    }

    #[test]
    fn a_tag_lists_label_is_a_prompt() {
        assert!(is_prompt("Tags:"));
        assert!(is_prompt("Related Topics"));
        assert!(!is_prompt("Tags were added to every bird"));
    }

    #[test]
    fn a_counter_line_is_a_prompt() {
        assert!(is_prompt("1,693 views"));
        assert!(is_prompt("12 Comments"));
        assert!(is_prompt("3 lượt xem"));
        assert!(!is_prompt("12 comments were deleted"));
        assert!(!is_prompt("Views"));
    }

    #[test]
    fn a_photo_credit_line_is_a_stock_line() {
        assert!(is_stock_line(
            "Image credit: © Depositphotos.com/AndrewLozovyi"
        ));
        assert!(is_stock_line("Photo Credit: www.littlebitsofhome.com"));
        assert!(!is_stock_line("The photo credit went to her brother."));
        assert!(!is_stock_line("Press Ctrl+Enter to run the cell."));
    }

    #[test]
    fn a_reading_time_line_is_a_prompt() {
        assert!(is_prompt("13 MIN READ"));
        assert!(is_prompt("3 MIN. READ"));
        assert!(is_prompt("24 Apr 2000 • 3 min read"));
        assert!(is_prompt("Reading time: 4 minutes"));
        assert!(is_prompt("5 phút đọc"));
        assert!(!is_prompt("It took me 3 minutes to read it"));
        assert!(!is_prompt("Dành 15 phút đọc sách mỗi ngày"));
        assert!(!is_prompt("The 5-minute read that changed my mind"));
        assert!(!is_prompt("Read the 12 rules in a minute"));
    }

    #[test]
    fn a_reading_time_in_another_language_is_a_prompt() {
        assert!(is_prompt("5 Min. Lesezeit"));
        assert!(is_prompt("Lesezeit: 5 Minuten"));
        assert!(is_prompt("5 min de lecture"));
        assert!(is_prompt("Tiempo de lectura: 4 minutos"));
        assert!(is_prompt("Время чтения: 5 минут"));
        assert!(!is_prompt("Er brauchte 5 Minuten zum Lesen"));
        assert!(!is_prompt("La lecture dure 5 min de plus"));
        assert!(!is_prompt("Dedica cada día 15 minutos de lectura"));
    }

    #[test]
    fn a_counter_or_a_pager_in_another_language_is_a_prompt() {
        assert!(is_prompt("12 Kommentare"));
        assert!(is_prompt("1.234 Aufrufe"));
        assert!(is_prompt("5 комментариев"));
        assert!(is_prompt("Seite 2 von 5"));
        assert!(is_prompt("Página 1 de 3"));
        assert!(!is_prompt("Seite an Seite"));
        assert!(!is_prompt("12 Kommentatoren sagen"));
    }
}
