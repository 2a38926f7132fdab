//! Measures the near-duplicate threshold on a farm's truth.jsonl: the similarity of every pair
//! of different stories, and of each story with an edited copy of itself (last paragraph
//! dropped, tone placement changed, one word replaced).
//!
//!     cargo run --release --example fingerprint_probe -- /tmp/bench-farm-.../truth.jsonl

use std::io::BufRead;

use tindex::dedup::fingerprint::{MIN_SHARED_BANDS, MIN_SIMILARITY, SIZE, Signature};
use tindex::textfold::fold_search;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: fingerprint_probe TRUTH.jsonl")?;
    let mut bodies = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(path)?).lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        bodies.push(v["body"].as_str().unwrap_or_default().to_string());
    }
    let sig = |t: &str| Signature::of(&fold_search(t));
    let sigs: Vec<Signature> = bodies.iter().filter_map(|b| sig(b)).collect();
    let mut max_different = 0.0f64;
    let mut false_merges = 0;
    let mut compared = 0usize;
    let bands: Vec<_> = sigs.iter().map(Signature::bands).collect();
    for i in 0..sigs.len() {
        for j in i + 1..sigs.len() {
            let s = sigs[i].similarity(&sigs[j]);
            max_different = max_different.max(s);
            false_merges += usize::from(s >= MIN_SIMILARITY);
            let shared = bands[i]
                .iter()
                .zip(&bands[j])
                .filter(|(x, y)| x == y)
                .count();
            compared += usize::from(shared >= MIN_SHARED_BANDS);
        }
    }
    let mut min_copy = 1.0f64;
    let mut missed = 0;
    for b in &bodies {
        let mut paras: Vec<&str> = b.split("\n\n").collect();
        if paras.len() > 3 {
            paras.pop();
        }
        let copy = paras
            .join("\n\n")
            .replacen("hóa", "hoá", 3)
            .replacen(" và ", " cùng ", 1);
        if let (Some(a), Some(c)) = (sig(b), sig(&copy)) {
            let s = a.similarity(&c);
            min_copy = min_copy.min(s);
            let shared = a
                .bands()
                .iter()
                .zip(c.bands())
                .filter(|(x, y)| *x == y)
                .count();
            let banded = shared >= MIN_SHARED_BANDS;
            missed += usize::from(!(banded && s >= MIN_SIMILARITY));
        }
    }
    println!(
        "{} stories, {SIZE} buckets, threshold {MIN_SIMILARITY}: different stories max {max_different:.3} \
         ({false_merges} pairs at or above; {compared} pairs share {MIN_SHARED_BANDS}+ bands and get \
         compared); edited copies min {min_copy:.3} ({missed} not clustered)",
        sigs.len()
    );
    Ok(())
}
