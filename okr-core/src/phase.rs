thread_local! { static T: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) }; }
#[allow(dead_code)]
pub(crate) fn phase(name: &str) {
    if std::env::var_os("OKR_PHASES").is_none() {
        return;
    }
    let now = std::time::Instant::now();
    T.with(|t| {
        if let Some(p) = t.get() {
            eprintln!("  {:>8.1} ms  {name}", (now - p).as_secs_f64() * 1e3);
        }
        t.set(Some(now));
    });
}
