//! The shipped systemd unit: valid as systemd reads it, a reload that checks the config
//! first, documentation that exists, and an archive a chosen group can read.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{stderr_of, stdout_of};

fn unit_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd/tindex.service"))
        .unwrap()
}

/// The unit with its binary path pointing at the binary under test.
fn unit_for_this_build(dir: &Path) -> PathBuf {
    let path = dir.join("tindex.service");
    std::fs::write(
        &path,
        unit_text().replace("/usr/local/bin/tindex", env!("CARGO_BIN_EXE_tindex")),
    )
    .unwrap();
    path
}

#[test]
fn the_shipped_unit_passes_systemd_analyze_verify() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("TINDEX_REQUIRE_TOOLS").is_none(),
            "systemd-analyze missing"
        );
        println!("skipped: systemd-analyze not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let unit = unit_for_this_build(dir.path());
    // Installed as the unit's install steps say, so `Documentation=man:tindex(1)` resolves
    // (verify runs `man` on it).
    let man1 = dir.path().join("man/man1");
    std::fs::create_dir_all(&man1).unwrap();
    let page = Command::new(env!("CARGO_BIN_EXE_tindex"))
        .arg("man")
        .output()
        .unwrap();
    std::fs::write(man1.join("tindex.1"), page.stdout).unwrap();
    let o = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .env("MANPATH", dir.path().join("man"))
        .output()
        .unwrap();
    let err = stderr_of(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        !err.contains("tindex.service"),
        "no complaint about the unit: {err}"
    );
}

/// The command lines of every `ExecReload=` of the unit, split on spaces.
fn reload_commands() -> Vec<Vec<String>> {
    unit_text()
        .lines()
        .filter_map(|l| l.strip_prefix("ExecReload="))
        .map(|c| c.split_whitespace().map(String::from).collect())
        .collect()
}

#[test]
fn reload_fails_visibly_on_a_broken_config_before_any_signal_is_sent() {
    let commands = reload_commands();
    assert!(commands.len() >= 2 && commands.last().unwrap()[0] == "/bin/kill");
    let check = &commands[0];
    assert_eq!(check[0], "/usr/local/bin/tindex");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tindex.toml");
    let run = |text: &str| {
        std::fs::write(&config, text).unwrap();
        let args: Vec<String> = check[1..]
            .iter()
            .map(|a| {
                if a == "/etc/tindex/tindex.toml" {
                    config.display().to_string()
                } else {
                    a.clone()
                }
            })
            .collect();
        Command::new(env!("CARGO_BIN_EXE_tindex"))
            .args(&args)
            .output()
            .unwrap()
    };
    let bad = run("[daemon]\npoll_every = 5\n");
    assert_eq!(bad.status.code(), Some(2), "{}", stderr_of(&bad));
    let good = run("[daemon]\npoll_interval_secs = 600\n");
    assert!(good.status.success(), "{}", stderr_of(&good));
}

#[test]
fn the_units_documentation_is_the_man_page_tindex_prints() {
    assert!(unit_text().contains("Documentation=man:tindex(1)"));
    let o = Command::new(env!("CARGO_BIN_EXE_tindex"))
        .arg("man")
        .output()
        .unwrap();
    assert!(o.status.success());
    let page = stdout_of(&o);
    assert!(page.contains(".TH tindex 1"), "{page:.200}");
    for sub in ["run", "status", "search", "backup", "datasette\\-metadata"] {
        assert!(
            page.contains(&format!(".B {sub}"))
                || page.contains(&format!("{sub}(1)"))
                || page.contains(&format!("\n{sub}\n")),
            "lists {sub}"
        );
    }
}

#[test]
fn the_unit_makes_the_archive_readable_by_its_group_and_no_one_else() {
    let unit = unit_text();
    assert!(unit.contains("UMask=0027") && unit.contains("StateDirectoryMode=0750"));
    assert!(
        !unit.contains("DynamicUser=yes"),
        "/var/lib/private would lock readers out"
    );
    if unsafe { libc::geteuid() } != 0 {
        println!("skipped: the reader check switches users, which needs root");
        return;
    }
    // The state directory as systemd makes it (root:GROUP 0750 here), written with the
    // unit's umask; then a member of the group and a stranger try to read.
    const GROUP: u32 = 64123;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir(&state).unwrap();
    std::os::unix::fs::chown(&state, Some(0), Some(GROUP)).unwrap();
    std::fs::write(dir.path().join("c.toml"), "").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o750)).unwrap();
    }
    let db = state.join("tindex.sqlite");
    let cfg = dir.path().join("c.toml");
    let o = Command::new("setpriv")
        .args(["--regid", &GROUP.to_string(), "--clear-groups", "sh", "-c"])
        .arg("umask 0027 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_tindex"))
        .arg("-c")
        .arg(&cfg)
        .arg("--db")
        .arg(&db)
        .args(["feeds", "add", "https://baophapluat.vn/rss/home.rss"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    let reader = |groups: &str| {
        Command::new("setpriv")
            .args(["--reuid", "65534", "--regid", "65534"])
            .args(if groups.is_empty() {
                vec!["--clear-groups".to_string()]
            } else {
                vec!["--groups".to_string(), groups.to_string()]
            })
            .arg(env!("CARGO_BIN_EXE_tindex"))
            .arg("-c")
            .arg(&cfg)
            .arg("--db")
            .arg(&db)
            .args(["feeds", "list"])
            .current_dir("/")
            .output()
            .unwrap()
    };
    let member = reader(&GROUP.to_string());
    assert!(
        member.status.success(),
        "a group member reads: {}",
        stderr_of(&member)
    );
    assert!(stdout_of(&member).contains("home.rss"));
    let stranger = reader("");
    assert!(!stranger.status.success(), "anyone else is kept out");
}
