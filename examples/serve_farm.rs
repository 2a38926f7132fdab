//! Offline try-out: serves the bundled PLVN-style farm (tests/fixtures/farm) on
//! 127.0.0.1:18080, the address its feeds and pages were generated for, until Ctrl-C.
//!
//!     cargo run --release --example serve_farm
//!
//! then, in a second terminal, see README "Try it offline".

#[path = "../tests/support/server.rs"]
mod support;

fn main() {
    let server = support::Server::start_on(&support::farm_dir().join("www"), "127.0.0.1:18080");
    eprintln!(
        "serving the fixture farm at {} (feeds: tests/fixtures/farm/feeds.txt); Ctrl-C to stop",
        server.base
    );
    loop {
        std::thread::park();
    }
}
