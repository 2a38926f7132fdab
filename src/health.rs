//! Rule health: whether each site rule still fits its site, judged from the extraction log.
//!
//! A site that changes its markup does not break tindex: its pages fall back to the generic
//! extractor, or the rule keeps matching an element that now holds less. Both are silent in
//! the records, so they are watched here: per site and day, pages, rule hits, fallbacks,
//! missing fields and the median body length; and a rule is *suspect* when its latest pages
//! mostly fell back, or their bodies shrank to under half of what they were, or a field the
//! site always had went missing. The daemon logs a WARN line per suspect rule after a cycle
//! that extracted its pages; `status` and `rules health` show the same sentence.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::store::{ExtractionLog, ExtractionRow, StoreError, ts};

/// Pages looked at to judge a rule now: its latest, within a day.
const RECENT_PAGES: usize = 20;
/// Fewest recent (and earlier) pages a judgement needs: one odd page proves nothing.
const MIN_PAGES: usize = 5;
/// Share of recent pages that fell back that makes a rule suspect.
const FALLBACK_SHARE: f64 = 0.5;
/// A median body below this share of the earlier median makes a rule suspect.
const BODY_DRIFT: f64 = 0.5;
/// A field missing from this share of recent pages, where it was missing from at most
/// [`FIELD_WAS_MISSING`] of the earlier ones, makes a rule suspect.
const FIELD_MISSING: f64 = 0.5;
const FIELD_WAS_MISSING: f64 = 0.1;

/// One site on one day (UTC).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HostDay {
    pub host: String,
    pub day: String,
    pub pages: usize,
    pub rule_hits: usize,
    pub fallbacks: usize,
    pub generic: usize,
    pub missing_lead: usize,
    pub missing_captions: usize,
    pub missing_date: usize,
    pub median_body_chars: i64,
}

/// A rule that no longer seems to fit its site.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Suspect {
    pub host: String,
    /// One sentence: "rule for baophapluat.vn suspect: 7 of 10 pages fell back since …".
    pub message: String,
}

/// `rules health`: the days and the suspects.
#[derive(Debug, Clone, Serialize)]
pub struct HealthReport {
    pub since: String,
    pub days: Vec<HostDay>,
    pub suspect: Vec<Suspect>,
}

/// Reads `days` days of the extraction log and judges every site rule.
pub fn report(
    store: &impl ExtractionLog,
    config: &Config,
    now: DateTime<Utc>,
    days: u32,
) -> Result<HealthReport, StoreError> {
    let since = now - Duration::days(i64::from(days.max(1)));
    let rows = store.extractions_since(since)?;
    Ok(HealthReport {
        since: ts(since),
        days: per_day(&rows),
        suspect: judge(&rows, config, now),
    })
}

/// The suspects among the rules of `config`, for the daemon and `status` (a week back).
pub fn suspects(
    store: &impl ExtractionLog,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Vec<Suspect>, StoreError> {
    if config.sites.is_empty() {
        return Ok(Vec::new());
    }
    let rows = store.extractions_since(now - Duration::days(7))?;
    Ok(judge(&rows, config, now))
}

fn per_day(rows: &[ExtractionRow]) -> Vec<HostDay> {
    let mut groups: BTreeMap<(String, String), Vec<&ExtractionRow>> = BTreeMap::new();
    for r in rows {
        let day = r.at.format("%Y-%m-%d").to_string();
        groups.entry((r.host.clone(), day)).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|((host, day), rs)| HostDay {
            pages: rs.len(),
            rule_hits: rs.iter().filter(|r| r.method == "site_rule").count(),
            fallbacks: rs
                .iter()
                .filter(|r| r.method == "site_rule_fallback")
                .count(),
            generic: rs.iter().filter(|r| r.method == "generic").count(),
            missing_lead: rs.iter().filter(|r| !r.has_lead).count(),
            missing_captions: rs.iter().filter(|r| r.captions == 0).count(),
            missing_date: rs.iter().filter(|r| !r.has_date).count(),
            median_body_chars: median(rs.iter().map(|r| r.body_chars).collect()),
            host,
            day,
        })
        .collect()
}

fn median(mut v: Vec<i64>) -> i64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    v[v.len() / 2]
}

/// Judges each host that has a site rule: its latest pages (up to [`RECENT_PAGES`] within a
/// day) against the pages before them.
pub fn judge(rows: &[ExtractionRow], config: &Config, now: DateTime<Utc>) -> Vec<Suspect> {
    let mut by_host: BTreeMap<&str, Vec<&ExtractionRow>> = BTreeMap::new();
    for r in rows {
        if config.sites.iter().any(|s| s.matches_host(&r.host)) {
            by_host.entry(r.host.as_str()).or_default().push(r);
        }
    }
    let mut out = Vec::new();
    for (host, rs) in by_host {
        let day_ago = now - Duration::days(1);
        let split = rs
            .len()
            .saturating_sub(RECENT_PAGES)
            .max(rs.partition_point(|r| r.at < day_ago));
        let (before, recent) = rs.split_at(split);
        if recent.len() < MIN_PAGES {
            continue;
        }
        let since = recent.first().map(|r| ts(r.at)).unwrap_or_default();
        let n = recent.len();
        let say = |what: String| Suspect {
            host: host.to_string(),
            message: format!("rule for {host} suspect: {what}"),
        };
        let fell = recent
            .iter()
            .filter(|r| r.method == "site_rule_fallback")
            .count();
        if fell as f64 >= FALLBACK_SHARE * n as f64 {
            out.push(say(format!(
                "{fell} of {n} pages fell back to the generic extractor since {since}"
            )));
            continue;
        }
        if before.len() < MIN_PAGES {
            continue;
        }
        let body = |rs: &[&ExtractionRow]| {
            median(
                rs.iter()
                    .filter(|r| r.method == "site_rule")
                    .map(|r| r.body_chars)
                    .collect(),
            )
        };
        let (now_body, was_body) = (body(recent), body(before));
        if was_body > 0 && (now_body as f64) < BODY_DRIFT * was_body as f64 {
            out.push(say(format!(
                "median body {now_body} characters over the last {n} pages since {since}, was {was_body}"
            )));
            continue;
        }
        let share = |rs: &[&ExtractionRow], missing: fn(&ExtractionRow) -> bool| {
            rs.iter().filter(|r| missing(r)).count() as f64 / rs.len() as f64
        };
        for (field, missing) in [
            (
                "lead",
                (|r: &ExtractionRow| !r.has_lead) as fn(&ExtractionRow) -> bool,
            ),
            ("date", |r: &ExtractionRow| !r.has_date),
        ] {
            let (now_share, was_share) = (share(recent, missing), share(before, missing));
            if now_share >= FIELD_MISSING && was_share <= FIELD_WAS_MISSING {
                let k = recent.iter().filter(|r| missing(r)).count();
                out.push(say(format!(
                    "no {field} on {k} of {n} pages since {since}, was {:.0}%",
                    was_share * 100.0
                )));
            }
        }
    }
    out
}

/// `rules health` as a table.
pub fn print(report: &HealthReport, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "host\tday\tpages\trule\tfallback\tgeneric\tno_lead\tno_caption\tno_date\tmedian_body"
    )?;
    for d in &report.days {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            d.host,
            d.day,
            d.pages,
            d.rule_hits,
            d.fallbacks,
            d.generic,
            d.missing_lead,
            d.missing_captions,
            d.missing_date,
            d.median_body_chars
        )?;
    }
    for s in &report.suspect {
        writeln!(out, "{}", s.message)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse(
            "[[site]]\nhosts = [\"a.vn\"]\nbody = \".b\"\n",
            std::path::Path::new("t.toml"),
        )
        .unwrap()
    }

    fn row(at: DateTime<Utc>, method: &str, body: i64, lead: bool) -> ExtractionRow {
        ExtractionRow {
            host: "a.vn".into(),
            at,
            method: method.into(),
            body_chars: body,
            has_lead: lead,
            captions: 1,
            has_date: true,
        }
    }

    fn history(now: DateTime<Utc>) -> Vec<ExtractionRow> {
        (0..10)
            .map(|i| {
                row(
                    now - Duration::days(3) + Duration::minutes(i),
                    "site_rule",
                    3000,
                    true,
                )
            })
            .collect()
    }

    #[test]
    fn a_rule_whose_latest_pages_fell_back_is_suspect() {
        let now = Utc::now();
        let mut rows = history(now);
        for i in 0..10 {
            let method = if i < 7 {
                "site_rule_fallback"
            } else {
                "site_rule"
            };
            rows.push(row(now - Duration::minutes(10 - i), method, 3000, true));
        }
        let s = judge(&rows, &config(), now);
        assert_eq!(s.len(), 1, "{s:?}");
        assert!(
            s[0].message
                .starts_with("rule for a.vn suspect: 7 of 10 pages fell back"),
            "{}",
            s[0].message
        );
    }

    #[test]
    fn a_body_that_shrank_to_a_fraction_is_suspect_and_steady_pages_are_not() {
        let now = Utc::now();
        let mut steady = history(now);
        steady.extend((0..6).map(|i| row(now - Duration::minutes(i), "site_rule", 2800, true)));
        assert!(judge(&steady, &config(), now).is_empty());
        let mut shrunk = history(now);
        shrunk.extend((0..6).map(|i| row(now - Duration::minutes(i), "site_rule", 400, true)));
        let s = judge(&shrunk, &config(), now);
        assert!(s[0].message.contains("median body 400 characters"), "{s:?}");
    }

    #[test]
    fn a_lead_the_site_always_had_going_missing_is_suspect() {
        let now = Utc::now();
        let mut rows = history(now);
        rows.extend((0..6).map(|i| row(now - Duration::minutes(i), "site_rule", 3000, false)));
        let s = judge(&rows, &config(), now);
        assert!(s[0].message.contains("no lead on 6 of 6 pages"), "{s:?}");
    }

    #[test]
    fn sites_without_a_rule_are_never_judged() {
        let now = Utc::now();
        let rows: Vec<ExtractionRow> = (0..10)
            .map(|i| ExtractionRow {
                host: "b.vn".into(),
                ..row(now - Duration::minutes(i), "generic", 10, false)
            })
            .collect();
        assert!(judge(&rows, &config(), now).is_empty());
    }
}
