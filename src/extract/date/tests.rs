use super::*;

fn st(s: &str) -> Option<String> {
    parse_machine(s).map(|d| d.to_string())
}

#[test]
fn iso_with_offset_is_an_instant() {
    assert_eq!(
        st("2026-11-05T14:30:00+07:00").as_deref(),
        Some("2026-11-05T14:30:00+07:00")
    );
}

#[test]
fn offsets_without_a_colon_are_read() {
    assert_eq!(
        st("2023-04-28T18:11:01+0200").as_deref(),
        Some("2023-04-28T18:11:01+02:00")
    );
    assert_eq!(
        st("2023-04-28T18:11:01.123+0000").as_deref(),
        Some("2023-04-28T18:11:01.123+00:00")
    );
    assert_eq!(
        st("2023-04-28 18:11:01 +0530").as_deref(),
        Some("2023-04-28T18:11:01+05:30")
    );
    assert_eq!(
        st("2023-04-28T18:11+07").as_deref(),
        Some("2023-04-28T18:11:00+07:00")
    );
    assert_eq!(
        st("2023-04-28T18:11:01Z").as_deref(),
        Some("2023-04-28T18:11:01+00:00")
    );
    assert_eq!(
        st("2023-04-28T18:11:01+5:30").as_deref(),
        Some("2023-04-28T18:11:01+05:30")
    );
    // A malformed offset is not guessed at: the wall-clock time stays without one.
    assert_eq!(
        st("2023-04-28T18:11:01+0:7").as_deref(),
        Some("2023-04-28T18:11:01")
    );
}

#[test]
fn local_time_without_offset_is_not_stamped_utc() {
    assert_eq!(
        parse_machine("2023-04-28 18:11:01").and_then(|d| d.offset()),
        None
    );
    assert_eq!(
        st("2023-04-28 18:11:01").as_deref(),
        Some("2023-04-28T18:11:01")
    );
    assert_eq!(
        parse_machine("2023-04-28 18:11:01").map(|d| d.precision()),
        Some(Some("offset unknown"))
    );
}

#[test]
fn local_time_takes_the_declared_zone_with_its_summer_time() {
    let ho_chi_minh = Zone::parse("Asia/Ho_Chi_Minh").ok();
    let berlin = Zone::parse("Europe/Berlin").ok();
    let local = parse_machine("2023-07-01 18:11:01");
    assert_eq!(
        local
            .map(|d| d.settle(ho_chi_minh.as_ref()).to_string())
            .as_deref(),
        Some("2023-07-01T18:11:01+07:00")
    );
    assert_eq!(
        local
            .map(|d| d.settle(berlin.as_ref()).to_string())
            .as_deref(),
        Some("2023-07-01T18:11:01+02:00")
    );
    let fixed = Zone::parse("+0530").ok();
    assert_eq!(
        local
            .map(|d| d.settle(fixed.as_ref()).to_string())
            .as_deref(),
        Some("2023-07-01T18:11:01+05:30")
    );
    assert!(Zone::parse("Mars/Olympus").is_err());
}

#[test]
fn date_only_stays_date_only() {
    assert_eq!(st("2024-03-05").as_deref(), Some("2024-03-05"));
    assert_eq!(st("2019/1/22").as_deref(), Some("2019-01-22"));
    let zone = Zone::parse("Asia/Ho_Chi_Minh").ok();
    assert_eq!(
        parse_machine("2024-03-05")
            .map(|d| d.settle(zone.as_ref()).to_string())
            .as_deref(),
        Some("2024-03-05")
    );
}

#[test]
fn dates_in_words() {
    assert_eq!(st("Dec 19th 2025").as_deref(), Some("2025-12-19"));
    assert_eq!(st("Feb 08, 2022").as_deref(), Some("2022-02-08"));
    let t = |s: &str| parse_text(s).map(|d| d.to_string());
    assert_eq!(
        t("By Summer Swann - June 12, 2025").as_deref(),
        Some("2025-06-12")
    );
    assert_eq!(
        t("Published On: 15 August 2025").as_deref(),
        Some("2025-08-15")
    );
    assert_eq!(
        t("Updated Sept. 3, 2024 at 4:45 pm").as_deref(),
        Some("2024-09-03T16:45:00")
    );
    assert_eq!(t("Mayor Smith said 2024 was hard"), None);
}

#[test]
fn vietnamese_visible_date_with_its_offset() {
    let d = parse_text("Thứ Hai, 05/11/2026 14:30 (GMT+7)").map(|d| d.to_string());
    assert_eq!(d.as_deref(), Some("2026-11-05T14:30:00+07:00"));
}

#[test]
fn placeholder_years_are_implausible() {
    let now = Utc::now();
    assert!(parse_machine("9999-12-31").is_some_and(|d| d.implausible(now).is_some()));
    assert!(parse_machine("1970-01-01T00:00:00Z").is_some_and(|d| d.implausible(now).is_some()));
    assert!(parse_machine("2024-03-05").is_some_and(|d| d.implausible(now).is_none()));
}

#[test]
fn iso_written_in_text_keeps_its_time_and_offset() {
    let t = |s: &str| parse_text(s).map(|d| d.to_string());
    assert_eq!(
        t("Posted 2026-11-05T14:30:00+07:00 by Lan").as_deref(),
        Some("2026-11-05T14:30:00+07:00")
    );
    assert_eq!(
        t("2026-11-05T14:30").as_deref(),
        Some("2026-11-05T14:30:00")
    );
}

#[test]
fn a_month_first_date_that_cannot_be_day_first_is_read_month_first() {
    let t = |s: &str| parse_text(s).map(|d| d.to_string());
    assert_eq!(t("Posted 12/25/2025").as_deref(), Some("2025-12-25"));
    // Both orders possible: day first, the order of the pages tindex archives first.
    assert_eq!(t("Đăng 05/11/2026").as_deref(), Some("2026-11-05"));
    assert_eq!(t("on 31/31/2025"), None);
}

#[test]
fn a_year_first_date_with_dots_or_slashes_is_read() {
    let t = |s: &str| parse_text(s).map(|d| d.to_string());
    assert_eq!(
        t("Essay - Published: 2025.12.17 |").as_deref(),
        Some("2025-12-17")
    );
    assert_eq!(t("2025/1/5 10:20").as_deref(), Some("2025-01-05T10:20:00"));
    // The separators must agree: a range or a version is no date.
    assert_eq!(t("build 2025.12-17"), None);
}

#[test]
fn month_names_of_other_languages_are_read() {
    let t = |s: &str| parse_text(s).map(|d| d.to_string());
    assert_eq!(t("5. März 2024").as_deref(), Some("2024-03-05"));
    assert_eq!(t("Publié le 1er août 2025").as_deref(), Some("2025-08-01"));
    assert_eq!(
        t("Madrid, 5 de marzo de 2024 - 10:30").as_deref(),
        Some("2024-03-05T10:30:00")
    );
    assert_eq!(t("12 сентября 2025 г.").as_deref(), Some("2025-09-12"));
    assert_eq!(t("3 października 2023").as_deref(), Some("2023-10-03"));
    assert_eq!(t("5 KASIM 2024").as_deref(), Some("2024-11-05"));
    // A month's name among other words is no date.
    assert_eq!(t("Die Mai-Kundgebung 2024 war groß"), None);
}

#[test]
fn east_asian_dates_with_year_month_day_signs_are_read() {
    let t = |s: &str| parse_text(s).map(|d| d.to_string());
    assert_eq!(
        t("发布时间：2024年3月5日 14:30").as_deref(),
        Some("2024-03-05T14:30:00")
    );
    assert_eq!(t("2025년 12월 7일").as_deref(), Some("2025-12-07"));
    assert_eq!(t("2024年13月5日"), None);
}

#[test]
fn a_vietnamese_date_naming_the_month_by_its_number_is_read() {
    let t = |s: &str| parse_text(s).map(|d| d.to_string());
    assert_eq!(
        t("Thứ Ba, ngày 05 tháng 3 năm 2024").as_deref(),
        Some("2024-03-05")
    );
    assert_eq!(t("ngày 5 tháng 12, 2025").as_deref(), Some("2025-12-05"));
    assert_eq!(t("Ngày 05 Tháng 3 Năm 2024").as_deref(), Some("2024-03-05"));
}
