//! TEMPORARY stub: replaced by the real extractor.
use url::Url;

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteRule {
    pub hosts: Vec<String>,
    pub title: Option<String>,
    pub lead: Option<String>,
    pub body: Option<String>,
    pub captions: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    #[serde(default)]
    pub strip: Vec<String>,
}
impl SiteRule {
    pub fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    SiteRule,
    Generic,
    SiteRuleFellBack,
}
impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SiteRule => "site_rule",
            Self::Generic => "generic",
            Self::SiteRuleFellBack => "site_rule_fallback",
        }
    }
}
#[derive(Debug, Clone)]
pub struct Image {
    pub src: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub position: usize,
}
#[derive(Debug, Clone)]
pub struct Extracted {
    pub title: String,
    pub lead: Option<String>,
    pub body: Vec<String>,
    pub captions: Vec<String>,
    pub images: Vec<Image>,
    pub author: Option<String>,
    pub published: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub updated: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub published_source: Option<&'static str>,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub language: Option<String>,
    pub canonical_url: Option<String>,
    pub method: Method,
}
impl Extracted {
    pub fn body_text(&self) -> String {
        self.body.join("\n\n")
    }
}
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("no article content found")]
    NoContent,
}
pub fn extract(
    html: &str,
    _page_url: &Url,
    _rule: Option<&SiteRule>,
) -> Result<Extracted, ExtractError> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("h1").map_err(|_| ExtractError::NoContent)?;
    let title = doc
        .select(&sel)
        .next()
        .map(|e| e.text().collect::<String>())
        .ok_or(ExtractError::NoContent)?;
    Ok(Extracted {
        title,
        lead: None,
        body: vec![],
        captions: vec![],
        images: vec![],
        author: None,
        published: None,
        updated: None,
        published_source: None,
        tags: vec![],
        category: None,
        language: None,
        canonical_url: None,
        method: Method::Generic,
    })
}
