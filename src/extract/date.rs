//! Dates as pages write them, kept as precise as the page is and no more.
//!
//! Machine dates come as RFC 3339 / ISO 8601 (offsets `+07:00`, `+0700`, `+07`, `Z`, or
//! none), RFC 2822, or now and then in words ("Dec 19th 2025"); visible dates look like
//! `Thứ Hai, 05/11/2026 14:30 (GMT+7)`, `March 5, 2024` or `5 March 2024`. A parsed value
//! is a [`Stamp`]: an instant when the text carries an offset, a wall-clock time when it
//! does not, a day when it has no time. A wall-clock time gets an offset only from what
//! the page or the site declares ([`Stamp::settle`]); a made-up UTC would put the story
//! hours away from when it was published.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// A date as precise as its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// An instant: the text gave an offset, or the page or site declared one.
    At(DateTime<FixedOffset>),
    /// Wall-clock time whose offset nobody declared.
    Local(NaiveDateTime),
    /// A calendar day without a time.
    Day(NaiveDate),
}

impl Stamp {
    /// The calendar day the page shows.
    pub fn day(&self) -> NaiveDate {
        match self {
            Self::At(d) => d.date_naive(),
            Self::Local(n) => n.date(),
            Self::Day(d) => *d,
        }
    }

    /// The offset written with the value, if any.
    pub fn offset(&self) -> Option<FixedOffset> {
        match self {
            Self::At(d) => Some(*d.offset()),
            _ => None,
        }
    }

    /// A wall-clock time placed in `zone` (the offset the page declares elsewhere, or the
    /// site's configured time zone); instants and days stay as they are.
    pub fn settle(self, zone: Option<&Zone>) -> Self {
        match (self, zone) {
            (Self::Local(n), Some(z)) => z.at(n).map_or(self, Self::At),
            _ => self,
        }
    }

    /// The same instant in the page's local offset when it was written in UTC: the page
    /// prints its own calendar day (9:46 pm on the 18th in New York, not the 19th).
    pub fn shown_in(self, local: FixedOffset) -> Self {
        match self {
            Self::At(d) if d.offset().local_minus_utc() == 0 => Self::At(d.with_timezone(&local)),
            _ => self,
        }
    }

    /// Why the value cannot be a publication date, if it cannot: before 1990 or more than
    /// two days after `now` (placeholders like 0000-00-00 and 9999-12-31, a wrong century).
    pub fn implausible(&self, now: DateTime<Utc>) -> Option<String> {
        let day = self.day();
        let floor = NaiveDate::from_ymd_opt(1990, 1, 1)?;
        let ceiling = (now + chrono::Duration::days(2)).date_naive();
        if day < floor {
            Some(format!("{self} is before 1990"))
        } else if day > ceiling {
            Some(format!("{self} is more than 2 days ahead"))
        } else {
            None
        }
    }

    /// A short word for `published_source`: what precision the value has.
    pub fn precision(&self) -> Option<&'static str> {
        match self {
            Self::At(_) => None,
            Self::Local(_) => Some("offset unknown"),
            Self::Day(_) => Some("date only"),
        }
    }
}

/// RFC 3339 for instants, `YYYY-MM-DDTHH:MM:SS` for wall-clock times, `YYYY-MM-DD` for days:
/// the stored form, which SQLite's date functions and Python's `fromisoformat` read.
impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::At(d) => f.write_str(&d.to_rfc3339()),
            Self::Local(n) => write!(f, "{}", n.format("%Y-%m-%dT%H:%M:%S")),
            Self::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

/// Where a wall-clock time is: a fixed offset the page declared, or a named time zone
/// (the site's `timezone`, with its daylight-saving rules).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    /// An offset, e.g. from another date of the same page.
    Fixed(FixedOffset),
    /// An IANA zone such as `Asia/Ho_Chi_Minh`.
    Named(chrono_tz::Tz),
}

impl Zone {
    /// Parses `+07:00`, `-0530`, `UTC` or an IANA name.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("utc") || s.eq_ignore_ascii_case("z") {
            return FixedOffset::east_opt(0)
                .map(Self::Fixed)
                .ok_or_else(|| "bad offset".to_string());
        }
        if s.starts_with(['+', '-']) {
            return parse_offset(s)
                .map(Self::Fixed)
                .ok_or_else(|| format!("{s:?} is not an offset like +07:00"));
        }
        s.parse::<chrono_tz::Tz>().map(Self::Named).map_err(|_| {
            format!("{s:?} is not a time zone name (e.g. Asia/Ho_Chi_Minh) or offset (+07:00)")
        })
    }

    fn at(&self, n: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        match self {
            Self::Fixed(off) => off.from_local_datetime(&n).single(),
            Self::Named(tz) => tz
                .from_local_datetime(&n)
                .earliest()
                .map(|d| d.fixed_offset()),
        }
    }
}

/// `+07:00`, `+0700`, `+07`, `-05:30`, `+5:30`, `+530`.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let sign = match s.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let rest = s.get(1..)?;
    let (h, m) = match rest.split_once(':') {
        // "+5:30", "+05:30": hours before the colon, two-digit minutes after it.
        Some((h, m)) if (1..=2).contains(&h.len()) && m.len() == 2 => (h, m),
        Some(_) => return None,
        None => match rest.len() {
            1 | 2 => (rest, "0"),
            3 => (rest.get(..1)?, rest.get(1..)?),
            4 => (rest.get(..2)?, rest.get(2..)?),
            _ => return None,
        },
    };
    if !(h.bytes().all(|b| b.is_ascii_digit()) && m.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (h, m) = (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Parses a machine-readable date (meta content, JSON-LD, `datetime` attribute).
pub fn parse_machine(s: &str) -> Option<Stamp> {
    let s = s.trim().trim_matches(['"', '\'']).trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(Stamp::At(d));
    }
    if let Some(st) = parse_iso(s) {
        return Some(st);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(Stamp::At(d));
    }
    for fmt in ["%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Stamp::Local(n));
        }
    }
    if let Some(d) = ymd_slashes(s) {
        return Some(Stamp::Day(d));
    }
    parse_text(s)
}

/// ISO 8601 with `T` or a space, optional seconds and fraction, and any offset form.
fn parse_iso(s: &str) -> Option<Stamp> {
    let b = s.as_bytes();
    if b.len() < 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let date = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    let rest = s.get(10..)?;
    if rest.is_empty() {
        return Some(Stamp::Day(date));
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    // The time runs up to an offset sign, a `Z` or a space.
    let cut = rest
        .char_indices()
        .find(|&(i, c)| c == 'Z' || c == 'z' || c == ' ' || (i > 0 && (c == '+' || c == '-')))
        .map_or(rest.len(), |(i, _)| i);
    let (clock, zone) = rest.split_at(cut);
    let time = ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(clock, f).ok())?;
    let n = date.and_time(time);
    let zone = zone.trim();
    let zone = zone
        .strip_prefix("UTC")
        .or_else(|| zone.strip_prefix("GMT"))
        .map_or(zone, str::trim);
    if zone.is_empty() {
        // "…+00:00" ends here too; a bare "UTC"/"GMT" suffix is UTC.
        return if rest.len() > clock.len() {
            FixedOffset::east_opt(0)
                .and_then(|o| o.from_local_datetime(&n).single())
                .map(Stamp::At)
        } else {
            Some(Stamp::Local(n))
        };
    }
    let off = if zone.eq_ignore_ascii_case("z") {
        FixedOffset::east_opt(0)?
    } else {
        parse_offset(zone)?
    };
    off.from_local_datetime(&n).single().map(Stamp::At)
}

/// `2025/12/18`, `2019/1/22` (citation dates).
fn ymd_slashes(s: &str) -> Option<NaiveDate> {
    let mut it = s.split('/');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

/// Month names of other languages, lower case: full names, and the genitive where a
/// language writes the day before it in that case ("5 марта", "5 marca"). No name here
/// means another month in another language.
const FOREIGN_MONTHS: &[(&str, u32)] = &[
    // German, Dutch
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
    // French
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    // Spanish, Italian, Portuguese
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("dezembro", 12),
    // Indonesian, Malay
    ("maret", 3),
    ("agustus", 8),
    ("desember", 12),
    // Polish (genitive)
    ("stycznia", 1),
    ("lutego", 2),
    ("marca", 3),
    ("kwietnia", 4),
    ("maja", 5),
    ("czerwca", 6),
    ("lipca", 7),
    ("sierpnia", 8),
    ("września", 9),
    ("października", 10),
    ("grudnia", 12),
    // Russian (genitive)
    ("января", 1),
    ("февраля", 2),
    ("марта", 3),
    ("апреля", 4),
    ("мая", 5),
    ("июня", 6),
    ("июля", 7),
    ("августа", 8),
    ("сентября", 9),
    ("октября", 10),
    ("ноября", 11),
    ("декабря", 12),
    // Turkish
    ("ocak", 1),
    ("şubat", 2),
    ("mart", 3),
    ("nisan", 4),
    ("mayıs", 5),
    ("haziran", 6),
    ("temmuz", 7),
    ("ağustos", 8),
    ("eylül", 9),
    ("ekim", 10),
    ("kasım", 11),
    ("aralık", 12),
    // Capitals lower-cased without Turkish rules: "KASIM" reads "kasim".
    ("mayis", 5),
    ("kasim", 11),
    ("aralik", 12),
];

/// Every month name of [`MONTHS`] and [`FOREIGN_MONTHS`]: each word of a scanned text is
/// looked up.
static MONTH_NAMES: LazyLock<HashMap<&str, u32>> =
    LazyLock::new(|| MONTHS.iter().chain(FOREIGN_MONTHS).copied().collect());

fn month_word(w: &str) -> Option<u32> {
    let w = w.trim_end_matches('.');
    // No name is longer than 13 letters: longer words are settled without a copy.
    if w.chars().nth(13).is_some() {
        return None;
    }
    MONTH_NAMES.get(w.to_lowercase().as_str()).copied()
}

/// Finds the first full date in visible text: `dd/mm/yyyy [HH:MM[:SS]] [(GMT+7)]` (also
/// with `-` or `.`), `yyyy-mm-dd`, `March 5, 2024`, `Dec 19th 2025`, `5 March 2024`.
/// A time right after the date comes with it; an offset after the time makes an instant.
pub fn parse_text(s: &str) -> Option<Stamp> {
    scan(s, 400)
}

/// [`parse_text`] over a longer stretch of text (up to 2000 characters).
pub fn first_in(s: &str) -> Option<Stamp> {
    scan(s, 2000)
}

fn scan(s: &str, limit: usize) -> Option<Stamp> {
    let chars: Vec<char> = s.chars().take(limit).collect();
    let mut i = 0;
    while i < chars.len() {
        let found = date_at(&chars, i);
        if let Some((date, end)) = found {
            let (time, end) = time_after(&chars, end);
            return Some(match time {
                None => Stamp::Day(date),
                Some(t) => {
                    let n = date.and_time(t);
                    match offset_after(&chars, end).and_then(|o| o.from_local_datetime(&n).single())
                    {
                        Some(d) => Stamp::At(d),
                        None => Stamp::Local(n),
                    }
                }
            });
        }
        i += 1;
    }
    None
}

fn number(chars: &[char], start: usize, min: usize, max: usize) -> Option<(u32, usize)> {
    if start > 0 && chars.get(start - 1).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut n: u32 = 0;
    let mut i = start;
    while i < chars.len() && i - start < max {
        let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) else {
            break;
        };
        n = n * 10 + d;
        i += 1;
    }
    let len = i - start;
    if len < min || chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((n, i))
}

/// `dd/mm/yyyy` (the order of every language tindex archives first); where that is no date
/// and `mm/dd` is (`12/25/2025`), the page writes months first. (An ambiguous `03/09` stays
/// day first: a wrong one the plausibility check may catch.)
fn numeric_date_at(chars: &[char], i: usize) -> Option<(NaiveDate, usize)> {
    let (d, p) = number(chars, i, 1, 2)?;
    let sep = *chars.get(p)?;
    if !matches!(sep, '/' | '-' | '.') {
        return None;
    }
    let (m, p) = number(chars, p + 1, 1, 2)?;
    if chars.get(p) != Some(&sep) {
        return None;
    }
    let (y, p) = number(chars, p + 1, 4, 4)?;
    let y = i32::try_from(y).ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
        .or_else(|| NaiveDate::from_ymd_opt(y, d, m))
        .map(|date| (date, p))
}

/// `yyyy-mm-dd`, and the year-first dates East Asian and some European pages print
/// (`2025.12.17`, `2025/12/17`): a year first is never followed by the day.
fn iso_date_at(chars: &[char], i: usize) -> Option<(NaiveDate, usize)> {
    let (y, p) = number(chars, i, 4, 4)?;
    let sep = *chars.get(p)?;
    if !matches!(sep, '-' | '/' | '.') {
        return None;
    }
    let digits = if sep == '-' { 2 } else { 1 };
    let (m, p) = number(chars, p + 1, digits, 2)?;
    if chars.get(p) != Some(&sep) {
        return None;
    }
    let (d, p) = number(chars, p + 1, digits, 2)?;
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d).map(|date| (date, p))
}

/// Whether `s` starts with a full date (`March 5, 2024`, `5 March 2024`, `05/03/2024`,
/// `2024-03-05`): a name followed by a date is cut there, a date alone is not a name.
pub fn starts_with_date(s: &str) -> bool {
    let chars: Vec<char> = s.trim_start().chars().take(40).collect();
    date_at(&chars, 0).is_some()
}

/// A date of any written form starting at `i`, and where it ends.
fn date_at(chars: &[char], i: usize) -> Option<(NaiveDate, usize)> {
    numeric_date_at(chars, i)
        .or_else(|| iso_date_at(chars, i))
        .or_else(|| east_asian_date_at(chars, i))
        .or_else(|| worded_date_at(chars, i))
}

/// `2024年3月5日` (Chinese, Japanese) and `2024년 3월 5일` (Korean).
fn east_asian_date_at(chars: &[char], i: usize) -> Option<(NaiveDate, usize)> {
    let (y, p) = number(chars, i, 4, 4)?;
    let unit = |p: usize, marks: [char; 2]| {
        let p = spaces(chars, p);
        chars
            .get(p)
            .is_some_and(|c| marks.contains(c))
            .then(|| spaces(chars, p + 1))
    };
    let p = unit(p, ['年', '년'])?;
    let (m, p) = number(chars, p, 1, 2)?;
    let p = unit(p, ['月', '월'])?;
    let (d, p) = number(chars, p, 1, 2)?;
    let p = spaces(chars, p);
    if !chars.get(p).is_some_and(|c| matches!(c, '日' | '일')) {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d).map(|date| (date, p + 1))
}

/// A word starting at `i` (letters and a trailing dot), and where it ends.
fn word_at(chars: &[char], i: usize) -> Option<(String, usize)> {
    if i > 0 && chars.get(i - 1).is_some_and(|c| c.is_alphabetic()) {
        return None;
    }
    let mut j = i;
    while chars.get(j).is_some_and(|c| c.is_alphabetic()) {
        j += 1;
    }
    if j == i {
        return None;
    }
    let w: String = chars.get(i..j)?.iter().collect();
    if chars.get(j) == Some(&'.') {
        j += 1;
    }
    Some((w, j))
}

fn spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
        i += 1;
    }
    i
}

/// The `n` characters from `at`, ASCII lower case.
fn lower_ahead(chars: &[char], at: usize, n: usize) -> String {
    chars
        .iter()
        .skip(at)
        .take(n)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A day number with an optional ordinal suffix (`19th`, `1er`) or the dot German and
/// Nordic dates put after it (`5. März`).
fn day_number(chars: &[char], i: usize) -> Option<(u32, usize)> {
    let (d, mut p) = number(chars, i, 1, 2)?;
    let suffix = lower_ahead(chars, p, 2);
    if matches!(suffix.as_str(), "st" | "nd" | "rd" | "th" | "er")
        && !chars.get(p + 2).is_some_and(|c| c.is_alphabetic())
    {
        p += 2;
    } else if chars.get(p) == Some(&'.') && chars.get(p + 1).is_some_and(|c| c.is_whitespace()) {
        p += 1;
    }
    Some((d, p))
}

/// Past the spaces at `i` and the "de"/"del" that Spanish and Portuguese dates set between
/// their parts ("5 de marzo de 2024").
fn filler(chars: &[char], i: usize) -> usize {
    let p = spaces(chars, i);
    for word in ["de ", "del "] {
        if word
            .chars()
            .enumerate()
            .all(|(k, w)| chars.get(p + k) == Some(&w))
        {
            return spaces(chars, p + word.len());
        }
    }
    p
}

/// `March 5, 2024`, `Dec 19th 2025`, `5 March 2024`, `05 Dec. 2023`, and the same in
/// other languages (`5. März 2024`, `5 de marzo de 2024`, `5 марта 2024`); a Vietnamese
/// `05 tháng 3 năm 2024` (month by its number).
fn worded_date_at(chars: &[char], i: usize) -> Option<(NaiveDate, usize)> {
    if let Some((w, p)) = word_at(chars, i)
        && let Some(m) = month_word(&w)
    {
        let (d, p) = day_number(chars, spaces(chars, p))?;
        let (y, p) = number(chars, spaces(chars, p), 4, 4)?;
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d).map(|date| (date, p));
    }
    let (d, p) = day_number(chars, i)?;
    let (w, p) = word_at(chars, filler(chars, p))?;
    let (m, p) = match month_word(&w) {
        Some(m) => (m, p),
        None if w.to_lowercase() == "tháng" => {
            let (m, p) = number(chars, spaces(chars, p), 1, 2)?;
            match word_at(chars, spaces(chars, p)) {
                Some((nam, q)) if nam.to_lowercase() == "năm" => (m, q),
                _ => (m, p),
            }
        }
        None => return None,
    };
    let (y, p) = number(chars, filler(chars, p), 4, 4)?;
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d).map(|date| (date, p))
}

fn skip_filler(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| {
        c.is_whitespace() || matches!(c, ',' | '-' | '|' | '(' | '–' | '@' | '•' | '·')
    }) {
        i += 1;
    }
    // "at 9:02", "lúc 14:30"
    for word in ["at ", "lúc "] {
        let w: String = chars.iter().skip(i).take(word.chars().count()).collect();
        if w.eq_ignore_ascii_case(word) {
            return skip_filler(chars, i + word.chars().count());
        }
    }
    i
}

fn time_after(chars: &[char], i: usize) -> (Option<NaiveTime>, usize) {
    // ISO's `T` between date and time.
    let i = if chars.get(i) == Some(&'T') && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
        i + 1
    } else {
        i
    };
    let p = skip_filler(chars, i);
    let Some((mut h, q)) = number(chars, p, 1, 2) else {
        return (None, i);
    };
    if !matches!(chars.get(q), Some(':') | Some('h')) {
        return (None, i);
    }
    let Some((m, mut q)) = number(chars, q + 1, 2, 2) else {
        return (None, i);
    };
    let mut sec = 0;
    if chars.get(q) == Some(&':')
        && let Some((s, r)) = number(chars, q + 1, 2, 2)
    {
        sec = s;
        q = r;
    }
    let r = spaces(chars, q);
    let ampm = lower_ahead(chars, r, 4);
    let ampm = ampm.replace('.', "");
    if (1..=12).contains(&h) {
        if ampm.starts_with("pm") {
            h = if h == 12 { 12 } else { h + 12 };
            q = r + if chars.get(r + 1) == Some(&'.') { 4 } else { 2 };
        } else if ampm.starts_with("am") {
            h = if h == 12 { 0 } else { h };
            q = r + if chars.get(r + 1) == Some(&'.') { 4 } else { 2 };
        }
    }
    (NaiveTime::from_hms_opt(h, m, sec), q)
}

fn offset_after(chars: &[char], i: usize) -> Option<FixedOffset> {
    // A bare "+07:00" / "Z" right after the time (ISO written in text).
    if chars.get(i) == Some(&'Z') {
        return FixedOffset::east_opt(0);
    }
    if matches!(chars.get(i), Some('+') | Some('-')) {
        let bare: String = chars
            .iter()
            .skip(i)
            .take(6)
            .take_while(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ':'))
            .collect();
        return parse_offset(&bare);
    }
    let p = skip_filler(chars, i);
    let rest: String = chars.iter().skip(p).take(12).collect();
    let upper = rest.to_ascii_uppercase();
    let tail = upper
        .strip_prefix("GMT")
        .or_else(|| upper.strip_prefix("UTC"))?;
    match tail.chars().next() {
        Some('+') | Some('-') => {}
        _ => return FixedOffset::east_opt(0),
    }
    let sign_and_digits: String = tail
        .chars()
        .take(1)
        .chain(
            tail.chars()
                .skip(1)
                .take_while(|c| c.is_ascii_digit() || *c == ':'),
        )
        .collect();
    parse_offset(&sign_and_digits)
}

#[cfg(test)]
mod tests;
