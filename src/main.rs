fn main() {
    // Release builds abort on panic without formatting anything (`cargo xtask build-app`'s
    // rustflags), so the hook would never run there: only debug builds install it.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    app::mount();
}
