//! `cargo xtask bench`: builds everything in release, builds the widget once per size
//! setting so the report can say what each step saves, makes sure PostgreSQL answers (the
//! bench creates a database of its own there and drops it), installs Isso (the reference
//! the bench measures Colloquy beside), lists the widget's wasm dependencies with
//! `cargo tree`, and runs `colloquy-bench`, which measures and writes bench/REPORT.md and
//! bench/report.json.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::process::{command, run};
use crate::{tools, widget, workspace_root};

/// The budgets, stated once in the bench's own source: the bench reports every one, and
/// `cargo xtask test` checks the loader against [`budgets::LOADER_GZIP_BYTES`] (see
/// `widget::LOADER_GZIP_LIMIT`). xtask uses only that one; the rest are the bench's.
#[path = "../../bench/src/budgets.rs"]
#[allow(dead_code)]
pub mod budgets;

/// wasm-opt's arguments for what ships, as Trunk builds it from `index.html`: `-O` with
/// its `data-wasm-opt` level, then its `data-wasm-opt-params` (the features rustc emits,
/// then further passes, in order). Read from the page, so the bench's variants and the
/// shipped widget cannot drift apart.
fn wasm_opt_args() -> Result<Vec<String>, String> {
    let path = workspace_root().join("index.html");
    let page = std::fs::read_to_string(&path).map_err(|e| format!("reading {path:?}: {e}"))?;
    let attribute = |name: &str| -> Result<&str, String> {
        let opening = [name, "=\""].concat();
        let start = page
            .find(&opening)
            .ok_or_else(|| format!("{path:?} has no {name}"))?
            + opening.len();
        let length = page[start..]
            .find('"')
            .ok_or_else(|| format!("{path:?}: {name} is not closed"))?;
        Ok(&page[start..start + length])
    };
    let level = attribute("data-wasm-opt")?;
    let params = attribute("data-wasm-opt-params")?;
    Ok(std::iter::once(["-O", level].concat())
        .chain(params.split_whitespace().map(str::to_owned))
        .collect())
}

struct Variant {
    id: &'static str,
    description: &'static str,
    /// The variant whose size this one is compared with.
    compared_to: &'static str,
    profile: &'static str,
    wasm_opt: bool,
    /// std compiled for size as the shipped widget's is
    /// ([`widget::standard_library_for_size`]), or rustup's prebuilt one.
    std_for_size: bool,
    /// The imports named shortly after wasm-opt, as `cargo xtask dist` does
    /// ([`crate::short_imports`]).
    short_imports: bool,
    /// The functions then put in the compressor's order, as `cargo xtask dist` does
    /// ([`crate::order_functions`]).
    ordered_functions: bool,
}

/// The variant that ships (its unoptimised build, which keeps names, is the size map's).
const SHIPPED: &str = "z-wasm-opt";

const VARIANTS: [Variant; 7] = [
    Variant {
        id: "o3",
        description: "opt-level 3, LTO, one codegen unit, panic = abort, std built likewise; no wasm-opt",
        compared_to: "",
        profile: "widget-o3",
        wasm_opt: false,
        std_for_size: true,
        short_imports: false,
        ordered_functions: false,
    },
    Variant {
        id: "z",
        description: "opt-level \"z\" instead of 3",
        compared_to: "o3",
        profile: "widget-release",
        wasm_opt: false,
        std_for_size: true,
        short_imports: false,
        ordered_functions: false,
    },
    Variant {
        id: "z-wasm-opt",
        description: "+ wasm-opt (binaryen 132: -Oz, --flatten --rereloop -Oz, --merge-similar-functions -Oz, the producers and target features sections stripped)",
        compared_to: "z",
        profile: "widget-release",
        wasm_opt: true,
        std_for_size: true,
        short_imports: false,
        ordered_functions: false,
    },
    Variant {
        id: "short-imports",
        description: "+ the wasm's imports named `a`, `b`… in the wasm and the glue (whose glue terser then minifies)",
        compared_to: "z-wasm-opt",
        profile: "widget-release",
        wasm_opt: true,
        std_for_size: true,
        short_imports: true,
        ordered_functions: false,
    },
    Variant {
        id: "ordered-functions",
        description: "+ the wasm's functions ordered so that similar ones sit within gzip's reach of each other: what ships",
        compared_to: "short-imports",
        profile: "widget-release",
        wasm_opt: true,
        std_for_size: true,
        short_imports: true,
        ordered_functions: true,
    },
    Variant {
        id: "s-wasm-opt",
        description: "opt-level \"s\" instead of \"z\" (with the same wasm-opt passes)",
        compared_to: "z-wasm-opt",
        profile: "widget-s",
        wasm_opt: true,
        std_for_size: true,
        short_imports: false,
        ordered_functions: false,
    },
    Variant {
        id: "prebuilt-std",
        description: "rustup's prebuilt std (opt-level 3, panic messages, Debug output) instead of std built for size",
        compared_to: "z-wasm-opt",
        profile: "widget-release",
        wasm_opt: true,
        std_for_size: false,
        short_imports: false,
        ordered_functions: false,
    },
];

fn bench_dir() -> PathBuf {
    workspace_root().join("target").join("bench")
}

fn build_variant(variant: &Variant, out: &Path) -> Result<(), String> {
    println!(
        "xtask: size variant {}: {}",
        variant.id, variant.description
    );
    // With rustup's std the build has a folder of its own: sharing one would make cargo
    // rebuild every crate each time the flags change between builds.
    let target_dir = if variant.std_for_size {
        workspace_root().join("target")
    } else {
        bench_dir().join("prebuilt-std")
    };
    let mut cargo = command("cargo");
    if variant.std_for_size {
        widget::standard_library_for_size(&mut cargo);
    }
    cargo
        .args([
            "build",
            "-p",
            "colloquy",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            variant.profile,
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    run(cargo, &format!("building variant {}", variant.id))?;
    let built = target_dir
        .join("wasm32-unknown-unknown")
        .join(variant.profile)
        .join("colloquy.wasm");
    if variant.id == SHIPPED {
        // The same build as what ships, before wasm-opt drops the names: the size map.
        std::fs::copy(&built, bench_dir().join("named.wasm")).map_err(|e| e.to_string())?;
    }
    let folder = out.join(variant.id);
    let mut bindgen = command("wasm-bindgen");
    bindgen
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            "colloquy",
            "--out-dir",
        ])
        .arg(&folder)
        .arg(&built);
    run(bindgen, "wasm-bindgen")?;
    if variant.wasm_opt {
        let wasm = folder.join("colloquy_bg.wasm");
        let mut opt = command("wasm-opt");
        opt.args(wasm_opt_args()?).arg(&wasm).arg("-o").arg(&wasm);
        run(opt, "wasm-opt")?;
    }
    if variant.short_imports {
        crate::short_imports::shorten(&folder)?;
    }
    if variant.ordered_functions {
        crate::order_functions::order(&folder)?;
    }
    Ok(())
}

/// Builds the server and the bench in release; returns the folder that holds them.
pub fn build_release() -> Result<PathBuf, String> {
    println!("xtask: building the server and the bench in release");
    let mut build = command("cargo");
    build.args([
        "build",
        "--release",
        "-p",
        "colloquy-server",
        "-p",
        "colloquy-bench",
    ]);
    run(build, "building the server and the bench")?;
    Ok(workspace_root().join("target").join("release"))
}

/// `cargo tree -p colloquy --target wasm32-unknown-unknown -e normal`, written to a file
/// for the bench (its "no pulldown-cmark in the widget" budget reads it). Returns the file.
fn wasm_dependency_tree() -> Result<PathBuf, String> {
    let args = [
        "tree",
        "-p",
        "colloquy",
        "--target",
        "wasm32-unknown-unknown",
        "-e",
        "normal",
    ];
    println!(
        "xtask: the widget's wasm dependencies: cargo {}",
        args.join(" ")
    );
    let output = command("cargo")
        .args(args)
        .output()
        .map_err(|e| format!("cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo tree failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    std::fs::create_dir_all(bench_dir()).map_err(|e| e.to_string())?;
    let file = bench_dir().join("wasm-dependencies.txt");
    std::fs::write(&file, &output.stdout).map_err(|e| e.to_string())?;
    Ok(file)
}

pub fn run_bench() -> Result<ExitCode, String> {
    tools::ensure_build_tools()?;
    let chromedriver = tools::ensure_chromium()?;
    let postgres = tools::ensure_postgres()?;
    // Without Isso the bench still runs, and its report says why the reference is missing.
    let isso = tools::ensure_isso();
    if let Err(why) = &isso {
        println!("xtask: Isso could not be installed; the bench runs without it: {why}");
    }
    let wasm_tree = wasm_dependency_tree()?;
    widget::build()?;

    let variants = bench_dir().join("variants");
    std::fs::create_dir_all(&variants).map_err(|e| e.to_string())?;
    for variant in &VARIANTS {
        build_variant(variant, &variants)?;
    }
    let listing: Vec<String> = VARIANTS
        .iter()
        .map(|v| {
            format!(
                "{{\"id\": \"{}\", \"description\": \"{}\", \"compared_to\": \"{}\"}}",
                v.id,
                v.description.replace('"', "\\\""),
                v.compared_to
            )
        })
        .collect();
    std::fs::write(
        variants.join("variants.json"),
        format!("[{}]\n", listing.join(",\n")),
    )
    .map_err(|e| e.to_string())?;

    let release = build_release()?;
    let mut bench = command(&release.join("colloquy-bench").to_string_lossy());
    bench
        .env("COLLOQUY_DIST", workspace_root().join("dist"))
        .env(
            "COLLOQUY_STYLES",
            workspace_root().join("styles").join("colloquy.css"),
        )
        .env(
            "COLLOQUY_SERVER_BIN",
            crate::server::binary(crate::server::Profile::Release),
        )
        .env("COLLOQUY_BENCH_VARIANTS", &variants)
        .env("COLLOQUY_BENCH_NAMED_WASM", bench_dir().join("named.wasm"))
        .env("COLLOQUY_BENCH_OUT", workspace_root().join("bench"))
        .env("COLLOQUY_BENCH_WASM_TREE", wasm_tree)
        .env("COLLOQUY_TEST_POSTGRES", postgres)
        .env("CHROMEDRIVER", chromedriver);
    match isso {
        Ok(isso) => bench.env("COLLOQUY_BENCH_ISSO", isso),
        Err(why) => bench.env("COLLOQUY_BENCH_ISSO_MISSING", why),
    };
    run(bench, "the bench")?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasm_opt_gets_the_level_then_the_pages_parameters_in_order() {
        let args = wasm_opt_args().expect("index.html names wasm-opt's level and parameters");
        assert_eq!(args[0], "-Oz");
        assert!(args.iter().any(|arg| arg == "--enable-reference-types"));
        let passes: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|arg| !arg.starts_with("--enable-"))
            .collect();
        assert_eq!(
            passes,
            [
                "-Oz",
                "--flatten",
                "--rereloop",
                "-Oz",
                "--merge-similar-functions",
                "-Oz",
                "--strip-producers",
                "--strip-target-features"
            ]
        );
    }
}
