//! gzip as the server sends it, in one place for the two programs that make it: `cargo
//! xtask dist` writes the widget's `.gz` copies with it, and the bench measures with it, so
//! the bench's gzip figures are the bytes readers get. xtask includes this very file
//! (`#[path]` in `xtask/src/widget.rs`), as it does `budgets.rs`.

/// gzip at its best: zopfli searches much longer than zlib's level 9 for the same format
/// (any browser reads it), about 5 % smaller on the wasm, in a few seconds per build.
/// zopfli cuts its output into at most 15 blocks unless told otherwise; without the limit
/// the widget's wasm comes out about 250 bytes smaller, but zopfli's authors warn that
/// some files come out larger that way, so both are made and the smaller is kept.
pub fn gzip_best(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    let with_splits = |maximum_block_splits| {
        let mut gzip = Vec::new();
        let options = zopfli::Options {
            maximum_block_splits,
            ..zopfli::Options::default()
        };
        zopfli::compress(options, zopfli::Format::Gzip, raw, &mut gzip)?;
        Ok::<_, std::io::Error>(gzip)
    };
    let (limited, unlimited) = (with_splits(15)?, with_splits(0)?);
    Ok(if unlimited.len() < limited.len() {
        unlimited
    } else {
        limited
    })
}
