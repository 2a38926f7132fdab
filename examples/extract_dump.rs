//! Prints the extraction of one or more HTML files as JSON lines, generic
//! mode, for eyeballing and for the AEB benchmark.
//!
//! usage: cargo run --release --example extract_dump -- [--aeb] URL_OR_- FILE...
//! With `--aeb`, prints `{"id": <file stem>, "body": lead + "\n\n" + body}`
//! (the input for `score_aeb.py`); the URL is then only used as a base.
//! The median and slowest extract times go to stderr at the end.

use tindex::extract::extract;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let aeb = args.first().is_some_and(|a| a == "--aeb");
    if aeb {
        args.remove(0);
    }
    let Some(url) = args.first().cloned() else {
        eprintln!("usage: extract_dump [--aeb] URL FILE...");
        std::process::exit(2);
    };
    let base = url::Url::parse(&url)?;
    let mut times: Vec<(f64, String)> = Vec::new();
    for path in args.iter().skip(1) {
        let bytes = std::fs::read(path)?;
        let html = String::from_utf8_lossy(&bytes);
        let id = std::path::Path::new(path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let t0 = std::time::Instant::now();
        let res = extract(&html, &base, None);
        times.push((t0.elapsed().as_secs_f64() * 1000.0, id.clone()));
        match res {
            Ok(x) => {
                let row = if aeb {
                    let text = match &x.lead {
                        Some(l) => format!("{l}\n\n{}", x.body_text()),
                        None => x.body_text(),
                    };
                    serde_json::json!({"id": id, "body": text})
                } else {
                    serde_json::json!({
                        "id": id, "title": x.title, "lead": x.lead, "body": x.body,
                        "captions": x.captions, "published": x.published.map(|d| d.to_rfc3339()),
                        "published_source": x.published_source, "author": x.author,
                        "tags": x.tags, "category": x.category, "language": x.language,
                        "canonical_url": x.canonical_url, "method": x.method.as_str(),
                        "images": x.images.iter().map(|i| serde_json::json!({"src": i.src, "alt": i.alt, "caption": i.caption, "position": i.position})).collect::<Vec<_>>(),
                    })
                };
                println!("{row}");
            }
            Err(e) => {
                eprintln!("{path}: {e}");
                if aeb {
                    println!("{}", serde_json::json!({"id": id, "body": ""}));
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
