//! Farm and real-page fixtures: exact fields with the PLVN rule and with the
//! generic extractor (the fallback when the site changes its markup).
//!
//! The project's own fixtures live in tests/fixtures/extract/ (see plvn-expected.jsonl for
//! the truth lines produced by the bench farm generator). Real pages from public
//! repositories are read from ../shared/fixtures/ and never copied into the project.

use tindex::extract::{Method, SiteRule, extract};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/extract");

/// The PLVN rule exactly as shipped in config/tindex.toml, so the tests check what users run.
fn plvn_rule() -> SiteRule {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/tindex.toml");
    let config = tindex::config::Config::load(&path).unwrap();
    config
        .sites
        .into_iter()
        .next()
        .expect("the shipped config has the PLVN rule")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn plvn_farm_pages_exact_with_and_without_rule() {
    let rule = plvn_rule();
    rule.validate().unwrap();
    let expected = read("plvn-expected.jsonl");
    let mut n = 0;
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let t: serde_json::Value = serde_json::from_str(line).unwrap();
        let fixture = t["fixture"].as_str().unwrap();
        let url = url::Url::parse(t["url"].as_str().unwrap()).unwrap();
        let html = read(fixture);
        let want_caps: Vec<String> = t["captions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        for (variant, r, method) in [
            ("rule", Some(&rule), Method::SiteRule),
            ("generic", None, Method::Generic),
        ] {
            let x = extract(&html, &url, r).unwrap_or_else(|e| panic!("{fixture} {variant}: {e}"));
            let ctx = format!("{fixture} ({variant})");
            assert_eq!(x.method, method, "{ctx}");
            assert_eq!(x.title, t["title"].as_str().unwrap(), "{ctx} title");
            assert_eq!(x.lead.as_deref(), t["lead"].as_str(), "{ctx} lead");
            assert_eq!(x.body_text(), t["body"].as_str().unwrap(), "{ctx} body");
            assert_eq!(x.captions, want_caps, "{ctx} captions");
            assert_eq!(
                x.published.map(|d| d.to_string()).as_deref(),
                t["published"].as_str(),
                "{ctx} published"
            );
            assert_eq!(
                x.canonical_url.as_deref(),
                t["url"].as_str(),
                "{ctx} canonical"
            );
        }
        n += 1;
    }
    assert_eq!(n, 4);
}

/// `../shared/fixtures/vn/`, where a clone has it (CI always does).
fn shared_vn() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/vn");
    dir.is_dir().then_some(dir)
}

#[test]
fn vnexpress_generic_matches_gold() {
    let Some(dir) = shared_vn() else {
        println!("skipped: ../shared not present");
        return;
    };
    let load = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let html = load("VnExpress_2025_10_22.html");
    let gold: serde_json::Value = serde_json::from_str(&load("VnExpress.json")).unwrap();
    let g = &gold["V1"];
    let url = url::Url::parse(
        "https://vnexpress.net/dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html",
    )
    .unwrap();
    let x = extract(&html, &url, None).unwrap();
    assert_eq!(x.method, Method::Generic);
    assert_eq!(x.title, g["title"].as_str().unwrap());
    assert_eq!(x.lead.as_deref(), g["body"]["summary"][0].as_str());
    let caption = "Y bác sĩ nội soi cho bệnh nhân. Ảnh: Bệnh viện cung cấp";
    assert_eq!(x.captions, vec![caption.to_string()]);
    // The image has the caption and the photo credit apart.
    let image = x.images.first();
    assert_eq!(
        image.and_then(|i| i.caption.as_deref()),
        Some("Y bác sĩ nội soi cho bệnh nhân.")
    );
    assert_eq!(
        image.and_then(|i| i.credit.as_deref()),
        Some("Ảnh: Bệnh viện cung cấp")
    );
    let paragraphs = g["body"]["sections"][0]["paragraphs"].as_array().unwrap();
    let body = x.body_text();
    for p in paragraphs.iter().filter_map(|p| p.as_str()) {
        if p == caption {
            assert!(!body.contains(p), "caption leaked into body");
        } else {
            assert!(x.body.iter().any(|b| b == p), "missing paragraph: {p}");
        }
    }
    assert_eq!(x.body.len(), paragraphs.len() - 1, "no extra blocks");
    assert_eq!(
        x.published.map(|d| d.to_string()).as_deref(),
        Some("2025-10-22T19:25:52+07:00")
    );
    assert_eq!(x.author.as_deref(), Some("Lê Phương"));
    assert_eq!(
        x.authors,
        g["authors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a.as_str())
            .collect::<Vec<_>>()
    );
}

/// The shipped rule against the real PLVN markup shapes (written for this test, not copied):
/// each selector must match there, not only in the farm's template.
#[test]
fn plvn_rule_reads_the_real_markup_shapes() {
    let rule = plvn_rule();
    let url = url::Url::parse("https://baophapluat.vn/ha-noi-xet-xu.html").unwrap();
    // The page the shipped rule's own [[site.test]] names (config/tests/).
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/tests/plvn-article.html"
    ))
    .unwrap();
    let x = extract(&page, &url, Some(&rule)).unwrap();
    assert_eq!(x.method, Method::SiteRule);
    assert_eq!(
        x.title,
        "Hà Nội: Xét xử vụ án chiếm đoạt tài sản tại dự án nhà ở"
    );
    assert!(
        x.lead
            .as_deref()
            .is_some_and(|l| l.starts_with("(PLVN) - Sáng 5/11"))
    );
    assert_eq!(x.body.len(), 3, "{:?}", x.body);
    let body = x.body_text();
    for ad in ["Quảng cáo", "Ưu đãi mua sắm"] {
        assert!(!body.contains(ad), "ad in body: {body}");
    }
    assert_eq!(x.captions, vec!["Các bị cáo tại phiên tòa. (Ảnh: Văn Huy)"]);
    let image = x.images.first().unwrap();
    assert_eq!(image.caption.as_deref(), Some("Các bị cáo tại phiên tòa."));
    assert_eq!(image.credit.as_deref(), Some("Ảnh: Văn Huy"));
    assert_eq!(
        image.src,
        "https://baophapluat.vn/images/2026/11/05/phien-toa.jpg"
    );
    assert_eq!(x.author.as_deref(), Some("Lê Phương"));
    // Written without an offset; the rule's timezone places it.
    assert_eq!(
        x.published.map(|d| d.to_string()).as_deref(),
        Some("2026-11-05T14:30:00+07:00")
    );
    assert_eq!(
        x.published_source.as_deref(),
        Some("rule, zone of the page or site")
    );
}
