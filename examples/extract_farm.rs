//! Runs the extractor over a bench farm's `www/*.html` with the PLVN rule
//! and without a rule, writing RESULTS.jsonl files for `score.py`.
//!
//! usage: cargo run --release --example extract_farm -- FARM_DIR BASE_URL OUT_PREFIX
//! writes OUT_PREFIX-rule.jsonl and OUT_PREFIX-generic.jsonl and prints the
//! median extract time per page.

use std::io::Write;
use std::time::Instant;

use tindex::extract::{SiteRule, extract};

/// The PLVN rule as shipped in config/tindex.toml.
fn plvn_rule() -> Result<SiteRule, Box<dyn std::error::Error>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/tindex.toml");
    let config = tindex::config::Config::load(&path)?;
    Ok(config
        .sites
        .into_iter()
        .next()
        .ok_or("no [[site]] in config/tindex.toml")?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(farm), Some(base), Some(out)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("usage: extract_farm FARM_DIR BASE_URL OUT_PREFIX");
        std::process::exit(2);
    };
    let base = url::Url::parse(base)?;
    let rule = plvn_rule()?;
    rule.validate()?;
    let mut paths: Vec<_> = std::fs::read_dir(std::path::Path::new(farm).join("www"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    paths.sort();
    for (variant, rule) in [("rule", Some(&rule)), ("generic", None)] {
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(format!("{out}-{variant}.jsonl"))?);
        let mut times = Vec::new();
        let mut errors = 0;
        let mut methods = std::collections::BTreeMap::new();
        for p in &paths {
            let html = std::fs::read_to_string(p)?;
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let url = base.join(name)?;
            let t0 = Instant::now();
            let res = extract(&html, &url, rule);
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
            match res {
                Ok(x) => {
                    *methods.entry(x.method.as_str()).or_insert(0) += 1;
                    let row = serde_json::json!({
                        "url": url.as_str(),
                        "title": x.title,
                        "lead": x.lead,
                        "body": x.body_text(),
                        "captions": x.captions,
                        "published": x.published.map(|d| d.to_string()),
                        "author": x.author,
                    });
                    writeln!(f, "{row}")?;
                }
                Err(e) => {
                    errors += 1;
                    eprintln!("{name}: {e}");
                }
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
        let max = times.last().copied().unwrap_or(0.0);
        println!(
            "{variant}: {} pages, {errors} errors, methods {methods:?}, median {median:.2} ms/page, max {max:.2} ms",
            times.len()
        );
    }
    Ok(())
}
