//! Date parsing for the formats news pages use.
//!
//! Machine dates come as RFC 3339 / ISO 8601 (with or without offset) or
//! RFC 2822; visible dates on Vietnamese sites look like
//! `Thứ Hai, 05/11/2026 14:30 (GMT+7)`. A missing offset takes the site's
//! default (the caller passes +07:00 for Vietnamese pages).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// Parses a machine-readable date; naive values get `default_offset`.
pub fn parse_machine(s: &str, default_offset: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    let zulu = s.replace(['Z', 'z'], "+00:00");
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(&zulu, fmt) {
            return Some(d);
        }
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return with_offset(n, default_offset);
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return with_offset(d.and_time(NaiveTime::MIN), default_offset);
        }
    }
    parse_text(s, default_offset)
}

fn with_offset(n: NaiveDateTime, off: FixedOffset) -> Option<DateTime<FixedOffset>> {
    off.from_local_datetime(&n).single()
}

/// Finds a `dd/mm/yyyy [HH:MM[:SS]]` date in visible text (also with `-`
/// or `.` separators), honouring a following `GMT+7` / `UTC+07:00`.
pub fn parse_text(s: &str, default_offset: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let chars: Vec<char> = s.chars().take(400).collect();
    let mut i = 0;
    while i < chars.len() {
        if let Some((date, end)) = date_at(&chars, i) {
            let (time, end) = time_after(&chars, end);
            let off = offset_after(&chars, end).unwrap_or(default_offset);
            return with_offset(date.and_time(time.unwrap_or(NaiveTime::MIN)), off);
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

fn date_at(chars: &[char], i: usize) -> Option<(NaiveDate, usize)> {
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
    NaiveDate::from_ymd_opt(y, m, d).map(|date| (date, p))
}

fn skip_filler(chars: &[char], mut i: usize) -> usize {
    while chars
        .get(i)
        .is_some_and(|c| c.is_whitespace() || matches!(c, ',' | '-' | '|' | '(' | '–'))
    {
        i += 1;
    }
    i
}

fn time_after(chars: &[char], i: usize) -> (Option<NaiveTime>, usize) {
    let p = skip_filler(chars, i);
    let Some((h, q)) = number(chars, p, 1, 2) else {
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
    (NaiveTime::from_hms_opt(h, m, sec), q)
}

fn offset_after(chars: &[char], i: usize) -> Option<FixedOffset> {
    let p = skip_filler(chars, i);
    let rest: String = chars.iter().skip(p).take(12).collect();
    let upper = rest.to_ascii_uppercase();
    let tail = upper
        .strip_prefix("GMT")
        .or_else(|| upper.strip_prefix("UTC"))?;
    let sign = match tail.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return FixedOffset::east_opt(0),
    };
    let digits: String = tail
        .chars()
        .skip(1)
        .take_while(|c| c.is_ascii_digit() || *c == ':')
        .collect();
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None if digits.len() <= 2 => (digits.parse::<i32>().ok()?, 0),
        None => {
            let (h, m) = digits.split_at(digits.len().saturating_sub(2));
            (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?)
        }
    };
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vn() -> FixedOffset {
        FixedOffset::east_opt(7 * 3600)
            .unwrap_or(FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()))
    }

    #[test]
    fn iso_with_offset() {
        let d = parse_machine("2026-11-05T14:30:00+07:00", vn()).map(|d| d.to_rfc3339());
        assert_eq!(d.as_deref(), Some("2026-11-05T14:30:00+07:00"));
    }

    #[test]
    fn naive_iso_gets_default_offset() {
        let d = parse_machine("2026-11-05T14:30:00", vn()).map(|d| d.to_rfc3339());
        assert_eq!(d.as_deref(), Some("2026-11-05T14:30:00+07:00"));
    }

    #[test]
    fn vietnamese_visible_date() {
        let d = parse_text(
            "Thứ Hai, 05/11/2026 14:30 (GMT+7)",
            FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()),
        )
        .map(|d| d.to_rfc3339());
        assert_eq!(d.as_deref(), Some("2026-11-05T14:30:00+07:00"));
    }
}
