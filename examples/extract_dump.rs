//! Prints the extraction of one or more HTML files as JSON lines, generic
//! mode, for eyeballing and for the AEB and WCXB benchmarks.
//!
//! usage: cargo run --release --example extract_dump -- [--aeb] URL FILE...
//!        cargo run --release --example extract_dump -- --wcxb GT_DIR FILE...
//! With `--aeb`, prints `{"id": <file stem>, "body": lead + "\n\n" + body}`
//! (the input for `score_aeb.py`); the URL is then only used as a base.
//! With `--wcxb`, each page's URL is read from `GT_DIR/<stem>.json` and the row carries
//! body (lead first), title, author, authors and published (the input for
//! `bench/wcxb_score.py`); files may be gzip-compressed (`.gz`, read through `gzip -dc`).
//! The median and slowest extract times go to stderr at the end.

use tindex::extract::extract;

enum Mode {
    Full,
    Aeb,
    Wcxb(std::path::PathBuf),
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args.first().map(String::as_str) {
        Some("--aeb") => {
            args.remove(0);
            Mode::Aeb
        }
        Some("--wcxb") if args.len() > 1 => {
            let dir = args.remove(1);
            args.remove(0);
            Mode::Wcxb(dir.into())
        }
        _ => Mode::Full,
    };
    if !matches!(mode, Mode::Wcxb(_)) && args.is_empty() {
        eprintln!("usage: extract_dump [--aeb] URL FILE... | extract_dump --wcxb GT_DIR FILE...");
        std::process::exit(2);
    }
    let (base, files) = match mode {
        Mode::Wcxb(_) => (None, &args[..]),
        _ => (Some(url::Url::parse(&args[0])?), &args[1..]),
    };
    let mut times: Vec<(f64, String)> = Vec::new();
    for path in files {
        let bytes = read(path)?;
        let (html, _) = tindex::charset::decode(&bytes, None);
        let stem = std::path::Path::new(path)
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let id = stem.split('.').next().unwrap_or_default().to_string();
        let page_url = match (&mode, &base) {
            (Mode::Wcxb(dir), _) => {
                let gt: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(dir.join(format!("{id}.json")))?)?;
                let u = gt["url"].as_str().unwrap_or("https://example.com/");
                url::Url::parse(u).or_else(|_| url::Url::parse("https://example.com/"))?
            }
            (_, Some(b)) => b.clone(),
            (_, None) => unreachable!("a base URL is parsed for every mode but --wcxb"),
        };
        let t0 = std::time::Instant::now();
        let res = extract(&html, &page_url, None);
        times.push((t0.elapsed().as_secs_f64() * 1000.0, id.clone()));
        let with_lead = |x: &tindex::extract::Extracted| match &x.lead {
            Some(l) => format!("{l}\n\n{}", x.body_text()),
            None => x.body_text(),
        };
        match res {
            Ok(x) => {
                let row = match &mode {
                    Mode::Aeb => serde_json::json!({"id": id, "body": with_lead(&x)}),
                    Mode::Wcxb(_) => serde_json::json!({
                        "id": id, "body": with_lead(&x), "title": x.title, "lead": x.lead,
                        "author": x.author, "authors": x.authors,
                        "published": x.published.map(|d| d.to_string()),
                        "published_source": x.published_source,
                        "ms": times.last().map(|t| t.0),
                    }),
                    Mode::Full => serde_json::json!({
                        "id": id, "title": x.title, "lead": x.lead, "body": x.body,
                        "captions": x.captions,
                        "published": x.published.map(|d| d.to_string()),
                        "published_source": x.published_source, "author": x.author, "authors": x.authors,
                        "tags": x.tags, "category": x.category, "language": x.language,
                        "canonical_url": x.canonical_url, "method": x.method.as_str(),
                        "images": x.images.iter().map(|i| serde_json::json!({"src": i.src, "alt": i.alt, "caption": i.caption, "credit": i.credit, "position": i.position})).collect::<Vec<_>>(),
                    }),
                };
                println!("{row}");
            }
            Err(e) => {
                eprintln!("{path}: {e}");
                if !matches!(mode, Mode::Full) {
                    println!(
                        "{}",
                        serde_json::json!({"id": id, "body": "", "error": e.to_string()})
                    );
                }
            }
        }
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let (Some(mid), Some(max)) = (times.get(times.len() / 2), times.last()) {
        eprintln!(
            "{} pages, median {:.2} ms/page, slowest {:.2} ms ({})",
            times.len(),
            mid.0,
            max.0,
            max.1
        );
    }
    Ok(())
}

/// The file's bytes; `.gz` files through `gzip -dc` (no decompressor in the library).
fn read(path: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    if path.ends_with(".gz") {
        let out = std::process::Command::new("gzip")
            .args(["-dc", path])
            .output()?;
        if !out.status.success() {
            return Err(format!("gzip -dc {path} failed").into());
        }
        return Ok(out.stdout);
    }
    Ok(std::fs::read(path)?)
}
