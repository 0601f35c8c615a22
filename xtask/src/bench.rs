//! `cargo xtask bench`: how fast the CSDL reader is, measured against quick-xml merely
//! tokenizing the same text, and how its time and memory grow with the size of the input.
//!
//! One run prints, for `v1.0/clean.xml` of the Graph metadata folder: the median time of
//! tokenizing (every quick-xml event, nothing built), of [`msgraph_codegen::csdl::read()`] and of
//! read + [`msgraph_codegen::resolve::resolve`], their ratios to tokenizing, and the peak resident
//! memory of each phase. It then generates the whole of Graph (`--all`, with features per area)
//! and prints that time against tokenizing and the size of the output; with `--cargo`, also the
//! time and peak memory of cargo on that crate against issue #11's targets: `cargo build` of
//! every area alone (the five slowest printed) and of the seed's area, `cargo check` and
//! `cargo build` with `full`, and `cargo doc` with `full`. Then it reads synthetic documents of growing size (up to
//! `--synthetic-mb`, 100 by default) and prints time and peak memory per megabyte, which stay flat
//! when both are linear in the size.
//!
//! Peak memory per phase is the most heap memory live at once during one (untimed) run of it,
//! counted by [`CountingAllocator`], the `xtask` binary's global allocator; the whole process's
//! peak resident memory (`VmHWM` from `/proc/self/status`, Linux only) closes the report. These
//! are figures to read, not a test: nothing here fails on a slow machine.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::{Failure, graph_metadata};

/// The file the benchmark reads, below the Graph metadata folder.
pub const CLEAN_XML: &str = "v1.0/clean.xml";

/// What to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Timed runs per phase (the median is reported).
    pub iterations: usize,
    /// The largest synthetic document, in MB; 0 skips the synthetic runs.
    pub synthetic_mb: usize,
    /// Also time cargo on the whole-Graph crate (every area alone, `full`, rustdoc): tens of
    /// minutes, not seconds.
    pub cargo: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            iterations: 30,
            synthetic_mb: 100,
            cargo: false,
        }
    }
}

/// Set in the release build that [`run_release`] starts, so that it runs the benchmark itself.
pub const IN_RELEASE_VAR: &str = "XTASK_BENCH_IN_RELEASE";

/// `cargo xtask bench`: `cargo xtask` is a debug build, so this builds and runs the benchmark in
/// release mode (its report goes straight to stdout), unless it already is a release build.
pub fn run_release(options: Options, command: &str) -> Result<String, Failure> {
    if !cfg!(debug_assertions) || std::env::var_os(IN_RELEASE_VAR).is_some() {
        return run(options, command);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args([
            "run",
            "--release",
            "--quiet",
            "--package",
            "xtask",
            "--",
            "bench",
        ])
        .arg("--iterations")
        .arg(options.iterations.to_string())
        .arg("--synthetic-mb")
        .arg(options.synthetic_mb.to_string())
        .args(options.cargo.then_some("--cargo"))
        .env(IN_RELEASE_VAR, "1")
        .env(crate::INVOCATION_VAR, command)
        .current_dir(crate::workspace_root())
        .status()
        .map_err(|e| Failure(format!("xtask: error: cannot run cargo: {e}")))?;
    if status.success() {
        Ok(String::new())
    } else {
        Err(Failure(format!(
            "xtask: error: the release build of the benchmark failed ({status})"
        )))
    }
}

/// Runs the benchmark in this build and returns the report; the whole-Graph crate it generates
/// records `command`.
pub fn run(options: Options, command: &str) -> Result<String, Failure> {
    let mut out = String::new();
    if cfg!(debug_assertions) {
        out.push_str("note: this is a debug build; the figures are not representative\n");
    }
    let path = graph_metadata::file(CLEAN_XML).ok_or_else(|| {
        Failure(format!(
            "xtask: error: `{CLEAN_XML}` was not found (set ${} or put `shared/graph-metadata` beside the workspace)",
            graph_metadata::ENV_VAR
        ))
    })?;
    let bytes =
        std::fs::read(&path).map_err(|e| Failure(format!("{}:1:1: error: {e}", path.display())))?;
    let iterations = options.iterations.max(1);
    let _ = writeln!(
        out,
        "{} ({:.1} MB), median of {iterations} runs each:",
        path.display(),
        megabytes(bytes.len())
    );

    // The phases take turns, so that a change in the machine's load touches all of them alike.
    let phases = measure_interleaved(
        iterations,
        &mut [
            &mut || tokenize(&bytes),
            &mut || {
                let (document, _) = msgraph_codegen::csdl::read(&bytes).map_err(first_message)?;
                Ok(document.schemas.len())
            },
            &mut || {
                let (model, _) = msgraph_codegen::load(&bytes).map_err(first_message)?;
                Ok(model.types.len())
            },
        ],
    )?;
    let [tokenize, read, load] = <[Phase; 3]>::try_from(phases)
        .map_err(|_| Failure("xtask: error: three phases were measured".into()))?;
    let row = |out: &mut String, name: &str, phase: &Phase| {
        let _ = writeln!(
            out,
            "  {name:<22} {:>9.2} ms  {:>5.2}x tokenize  {:>8.1} MB/s  peak heap {}",
            millis(phase.median),
            phase.median.as_secs_f64() / tokenize.median.as_secs_f64(),
            megabytes(bytes.len()) / phase.median.as_secs_f64(),
            peak_text(phase.peak_heap),
        );
    };
    row(&mut out, "quick-xml tokenize", &tokenize);
    row(&mut out, "read", &read);
    row(&mut out, "read + resolve", &load);
    let _ = writeln!(
        out,
        "  ratio read / tokenize = {:.2}, read + resolve / tokenize = {:.2} (target: <= 3)",
        read.median.as_secs_f64() / tokenize.median.as_secs_f64(),
        load.median.as_secs_f64() / tokenize.median.as_secs_f64(),
    );

    whole_graph(&mut out, &bytes, tokenize.median, options.cargo, command)?;

    if options.synthetic_mb > 0 {
        let _ = writeln!(
            out,
            "\nsynthetic documents (read + resolve, median of 3 runs after a warm-up):"
        );
        let mut sizes: Vec<usize> = [options.synthetic_mb / 4, options.synthetic_mb / 2]
            .into_iter()
            .filter(|&mb| mb > 0)
            .collect();
        sizes.push(options.synthetic_mb);
        sizes.dedup();
        for mb in sizes {
            let document = synthetic_csdl(mb * 1_000_000);
            let phase = measure(3, || {
                let (model, _) = msgraph_codegen::load(&document).map_err(first_message)?;
                Ok(model.types.len())
            })?;
            let size = megabytes(document.len());
            let _ = writeln!(
                out,
                "  {size:>7.1} MB: {:>9.1} ms ({:>5.2} ms/MB), peak heap {} ({} per MB of input)",
                millis(phase.median),
                millis(phase.median) / size,
                peak_text(phase.peak_heap),
                phase.peak_heap.map_or("n/a".to_string(), |b| format!(
                    "{:.2} MB",
                    megabytes(b) / size
                )),
            );
        }
    }
    if let Some(kb) = status_kb("VmHWM:") {
        let _ = writeln!(
            out,
            "\npeak resident memory of the whole run (VmHWM): {:.1} MB",
            kb as f64 / 1024.0
        );
    }
    Ok(out)
}

/// The area that holds the seed's assignment API (`/deviceAppManagement/...`).
pub const SEED_AREA: &str = "device-app-management";

/// Issue #11's targets for compiling the whole-Graph crate, in seconds and MiB (its "1.5 GB"
/// and "3 GB" read as GiB; the figures are printed in decimal GB too).
mod target {
    /// `cargo build` of any one area alone.
    pub const AREA_BUILD_S: f64 = 20.0;
    /// Peak memory of `cargo build` of any one area alone.
    pub const AREA_PEAK_MB: f64 = 1536.0;
    /// `cargo build` of the seed's area alone.
    pub const SEED_BUILD_S: f64 = 10.0;
    /// `cargo build --features full`.
    pub const FULL_BUILD_S: f64 = 60.0;
    /// Peak memory of `cargo build --features full`.
    pub const FULL_PEAK_MB: f64 = 3072.0;
    /// `cargo check --features full`.
    pub const FULL_CHECK_S: f64 = 40.0;
}

/// Generation of the whole of Graph (`--all`, with features per area): its time against
/// tokenizing, the size of its output and, with `cargo`, the compile times of that output.
fn whole_graph(
    out: &mut String,
    bytes: &[u8],
    tokenize: Duration,
    cargo: bool,
    command: &str,
) -> Result<(), Failure> {
    let slice = msgraph_codegen::SliceSpec {
        all: true,
        areas: true,
        ..Default::default()
    };
    let options = msgraph_codegen::GenerateOptions::standalone(slice, command.to_string());
    let mut generated = None;
    let phase = measure(3, || {
        let output = msgraph_codegen::generate(bytes, &options).map_err(first_message)?;
        let files = output.files.len();
        generated = Some(output);
        Ok(files)
    })?;
    let _ = writeln!(
        out,
        "
whole-Graph generation (read, resolve, select, areas, emit, format; median of 3):
           {:>9.1} ms  {:>6.1}x tokenize (target: <= 100)  peak heap {}",
        millis(phase.median),
        phase.median.as_secs_f64() / tokenize.as_secs_f64(),
        peak_text(phase.peak_heap),
    );
    stage_times(out, bytes, &options)?;
    let Some(generated) = generated else {
        return Ok(());
    };
    let size = |filter: &dyn Fn(&str) -> bool| {
        generated
            .files
            .iter()
            .filter(|(path, _)| filter(path))
            .fold((0, 0, 0), |(files, lines, bytes), (_, text)| {
                (files + 1, lines + text.lines().count(), bytes + text.len())
            })
    };
    for (what, filter) in [
        ("all files", &(|_: &str| true) as &dyn Fn(&str) -> bool),
        ("src/", &|path: &str| path.starts_with("src/")),
        ("tests/", &|path: &str| path.starts_with("tests/")),
    ] {
        let (files, lines, bytes) = size(filter);
        let _ = writeln!(
            out,
            "  output {what:<10} {files:>6} files {lines:>9} lines {:>7.1} MB{}",
            megabytes(bytes),
            if what == "src/" {
                " (target: < 300,000 lines)"
            } else {
                ""
            }
        );
    }
    if cargo {
        compile_times(out, &generated.files)?;
    }
    Ok(())
}

/// Where whole-Graph generation spends its time: each stage of the pipeline once.
fn stage_times(
    out: &mut String,
    bytes: &[u8],
    options: &msgraph_codegen::GenerateOptions,
) -> Result<(), Failure> {
    use msgraph_codegen::{emit, select};
    let started = Instant::now();
    let (model, _) = msgraph_codegen::load(bytes).map_err(first_message)?;
    let loaded = started.elapsed();
    let started = Instant::now();
    let selection =
        select::select(&model, &options.slice, options.slice_origin).map_err(first_message)?;
    let areas = select::areas(&model);
    let selected = started.elapsed();
    let started = Instant::now();
    let (files, _) = emit::emit(&model, &selection, &areas, options);
    let emitted = started.elapsed();
    let started = Instant::now();
    let formatted = msgraph_codegen::format_emitted(files, &options.command);
    let formatting = started.elapsed();
    std::hint::black_box(formatted);
    let _ = writeln!(
        out,
        "  stages: read + resolve {:.0} ms, select + {} areas {:.0} ms, emit {:.0} ms, \
         syn + prettyplease {:.0} ms",
        millis(loaded),
        areas.len(),
        millis(selected),
        millis(emitted),
        millis(formatting),
    );
    Ok(())
}

/// Writes the whole-Graph crate below `target/` and times cargo on it (dependencies built
/// beforehand, so the figures are the crate's own): `cargo build` of every area alone (the five
/// slowest are printed), of the seed's area, `cargo check` and `cargo build` with `full`, `cargo package`, and
/// `cargo doc` with `full`; each against issue #11's targets.
fn compile_times(
    out: &mut String,
    files: &std::collections::BTreeMap<String, String>,
) -> Result<(), Failure> {
    let dir = crate::workspace_root().join("target/bench-whole-graph");
    let _ = std::fs::remove_dir_all(dir.join("src"));
    crate::files::write(&dir, files)?;
    let target = crate::workspace_root().join("target/bench-whole-graph-target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let run = |args: &[&str]| -> Result<Compiled, Failure> {
        // Touching lib.rs makes cargo rebuild the crate and nothing else.
        let lib = dir.join("src/lib.rs");
        let text = std::fs::read(&lib).map_err(|e| Failure(format!("xtask: error: {e}")))?;
        std::fs::write(&lib, text).map_err(|e| Failure(format!("xtask: error: {e}")))?;
        let time = std::path::Path::new("/usr/bin/time");
        let mut command = if time.exists() {
            let mut command = std::process::Command::new(time);
            command.args(["-f", "%M"]).arg(&cargo);
            command
        } else {
            std::process::Command::new(&cargo)
        };
        command
            .args(args)
            .arg("--quiet")
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target)
            // A from-scratch build of a crate this size: no incremental state and no debug info,
            // which would take tens of gigabytes of disk and say nothing about compile time.
            .env("CARGO_INCREMENTAL", "0")
            .env("CARGO_PROFILE_DEV_DEBUG", "0");
        let started = Instant::now();
        let output = command
            .output()
            .map_err(|e| Failure(format!("xtask: error: cannot run cargo: {e}")))?;
        let seconds = started.elapsed().as_secs_f64();
        if !output.status.success() {
            return Err(Failure(format!(
                "xtask: error: `cargo {}` failed in {}:\n{}",
                args.join(" "),
                dir.display(),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        // GNU time prints the peak resident set (KB) as the last line of stderr.
        let peak_mb = String::from_utf8_lossy(&output.stderr)
            .lines()
            .last()
            .and_then(|line| line.trim().parse::<u64>().ok())
            .map(|kb| kb as f64 / 1024.0);
        Ok(Compiled { seconds, peak_mb })
    };
    let manifest = files.get("Cargo.toml").map(String::as_str).unwrap_or("");
    let areas = area_features(manifest);
    let _ = writeln!(
        out,
        "\ncompiling the whole-Graph crate (written to {}; dependencies built first):",
        dir.display()
    );
    // The features per area, `transport` and `default`.
    let features = msgraph_codegen::cli::feature_count(manifest) + 2;
    let _ = writeln!(
        out,
        "  cargo features {features} (target: <= {}) {}",
        msgraph_codegen::cli::CRATES_IO_FEATURES,
        verdict(features <= msgraph_codegen::cli::CRATES_IO_FEATURES)
    );
    run(&["check", "--no-default-features"])?;
    run(&["build", "--no-default-features"])?;

    let mut alone = Vec::new();
    for area in &areas {
        let compiled = run(&["build", &format!("--features={area}")])?;
        alone.push((area.as_str(), compiled));
    }
    alone.sort_by(|a, b| b.1.seconds.total_cmp(&a.1.seconds));
    let over: Vec<&str> = alone
        .iter()
        .filter(|(_, c)| {
            c.seconds > target::AREA_BUILD_S || c.peak_mb.unwrap_or(0.0) > target::AREA_PEAK_MB
        })
        .map(|(area, _)| *area)
        .collect();
    let most_memory = alone
        .iter()
        .filter_map(|(_, c)| c.peak_mb)
        .fold(0.0, f64::max);
    let _ = writeln!(
        out,
        "  cargo build, each of the {} areas alone (target: <= {} s and {:.0} MiB each): {}; \
         the most memory {most_memory:.0} MiB; the five slowest:",
        alone.len(),
        target::AREA_BUILD_S,
        target::AREA_PEAK_MB,
        if over.is_empty() {
            "met".to_string()
        } else {
            format!("NOT MET by {}", over.join(", "))
        },
    );
    for (area, compiled) in alone.iter().take(5) {
        let _ = writeln!(out, "    {area:<36} {compiled}");
    }
    if let Some((_, seed)) = alone.iter().find(|(area, _)| *area == SEED_AREA) {
        let _ = writeln!(
            out,
            "  cargo build {SEED_AREA:<26} {seed}  (target: <= {} s) {}",
            target::SEED_BUILD_S,
            verdict(seed.seconds <= target::SEED_BUILD_S)
        );
    }
    let check = run(&["check", "--features=full"])?;
    let _ = writeln!(
        out,
        "  cargo check full                        {check}  (target: <= {} s) {}",
        target::FULL_CHECK_S,
        verdict(check.seconds <= target::FULL_CHECK_S)
    );
    let build = run(&["build", "--features=full"])?;
    let _ = writeln!(
        out,
        "  cargo build full                        {build}  (target: <= {} s and {:.0} MiB) {}",
        target::FULL_BUILD_S,
        target::FULL_PEAK_MB,
        verdict(
            build.seconds <= target::FULL_BUILD_S
                && build.peak_mb.unwrap_or(0.0) <= target::FULL_PEAK_MB
        )
    );
    run(&["package", "--no-verify", "--allow-dirty"])?;
    // `cargo package` writes `target/package/NAME-VERSION.crate`.
    let package_field = |key: &str| {
        manifest
            .lines()
            .find_map(|line| line.strip_prefix(key)?.trim().strip_prefix("= \""))
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or_default()
    };
    let package = target.join(format!(
        "package/{}-{}.crate",
        package_field("name"),
        package_field("version")
    ));
    match std::fs::metadata(&package) {
        Ok(metadata) => {
            let mib = metadata.len() as f64 / (1024.0 * 1024.0);
            let _ = writeln!(
                out,
                "  cargo package                          {mib:>6.1} MiB packaged  (crates.io: <= 10 MiB) {}",
                verdict(mib <= 10.0)
            );
        }
        Err(error) => {
            let _ = writeln!(out, "  cargo package: {}: {error}", package.display());
        }
    }
    binary_sizes(out, &dir)?;
    let doc = run(&["doc", "--no-deps", "--features=full"])?;
    let _ = writeln!(
        out,
        "  cargo doc full                          {doc}  (docs.rs: <= 900 s and 6144 MiB) {}",
        verdict(doc.seconds <= 900.0 && doc.peak_mb.unwrap_or(0.0) <= 6144.0)
    );
    Ok(())
}

/// How much msgraph adds to a release binary: the seed's PATCH and a list of users sent through
/// msgraph's transport (`bench/size_msgraph.rs`, with the areas they need), against the same
/// program written with reqwest and serde_json alone (`bench/size_plain.rs`, same TLS setup).
fn binary_sizes(out: &mut String, whole_graph: &std::path::Path) -> Result<(), Failure> {
    const PROGRAMS: [(&str, &str, &str); 2] = [
        (
            "size-msgraph",
            include_str!("bench/size_msgraph.rs"),
            "msgraph = { path = \"../../bench-whole-graph\", features = [\"transport\", \"users\", \"device-app-management\"] }\n\
             tokio = { version = \"1\", default-features = false, features = [\"rt\"] }\n",
        ),
        (
            "size-plain",
            include_str!("bench/size_plain.rs"),
            "reqwest = { version = \"0.13\", default-features = false, features = [\"rustls-no-provider\"] }\n\
             rustls = { version = \"0.23\", default-features = false, features = [\"ring\", \"std\", \"tls12\"] }\n\
             rustls-platform-verifier = \">=0.6, <0.8\"\n\
             serde_json = \"1\"\n\
             tokio = { version = \"1\", default-features = false, features = [\"rt\"] }\n",
        ),
    ];
    let root = whole_graph.with_file_name("bench-binary-size");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let fail = |e: std::io::Error| Failure(format!("xtask: error: {e}"));
    let mut sizes = Vec::new();
    for (name, main, dependencies) in PROGRAMS {
        let dir = root.join(name);
        std::fs::create_dir_all(dir.join("src")).map_err(fail)?;
        // An empty `[workspace]`: the program is not a member of this repository's workspace.
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{dependencies}\n[workspace]\n"
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).map_err(fail)?;
        std::fs::write(dir.join("src/main.rs"), main).map_err(fail)?;
        let output = std::process::Command::new(&cargo)
            .args(["build", "--release", "--quiet"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", root.join("target"))
            .output()
            .map_err(|e| Failure(format!("xtask: error: cannot run cargo: {e}")))?;
        if !output.status.success() {
            return Err(Failure(format!(
                "xtask: error: `cargo build --release` failed in {}:\n{}",
                dir.display(),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        let binary = root.join("target/release").join(name);
        let bytes = std::fs::metadata(&binary).map_err(fail)?.len();
        sizes.push(bytes as f64 / (1024.0 * 1024.0));
    }
    let added = sizes[0] - sizes[1];
    let _ = writeln!(
        out,
        "  release binary: the seed's PATCH and a list of users {:.2} MiB with msgraph, {:.2} MiB \
         with reqwest and serde_json alone: msgraph adds {added:.2} MiB (target: <= 2 MB) {}",
        sizes[0],
        sizes[1],
        verdict(added * 1.048_576 <= 2.0)
    );
    Ok(())
}

/// The time and peak memory of one cargo command.
struct Compiled {
    seconds: f64,
    peak_mb: Option<f64>,
}

impl std::fmt::Display for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:>6.1} s  peak memory ", self.seconds)?;
        match self.peak_mb {
            Some(mib) => write!(f, "{mib:>5.0} MiB ({:.2} GB)", mib * 1024.0 * 1024.0 / 1e9),
            None => write!(f, "  n/a"),
        }
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT MET" }
}

/// The area features of a generated crate: its features per area that are neither `full` nor
/// a hidden group.
fn area_features(manifest: &str) -> Vec<String> {
    msgraph_codegen::cli::features_per_area(manifest)
        .filter(|name| *name != "full" && !name.starts_with('_'))
        .map(str::to_string)
        .collect()
}

/// The time and memory of one phase.
struct Phase {
    median: Duration,
    /// The most heap memory live at once during one run of the phase, in bytes, counted by
    /// [`CountingAllocator`] (`None` when the binary does not use it).
    peak_heap: Option<usize>,
}

/// Runs each of `works` once to warm up and once with the heap counted (untimed), then all of
/// them in turn, `iterations` times; each one's median time and peak heap.
fn measure_interleaved(
    iterations: usize,
    works: &mut [&mut dyn FnMut() -> Result<usize, Failure>],
) -> Result<Vec<Phase>, Failure> {
    let mut peaks = Vec::with_capacity(works.len());
    for work in works.iter_mut() {
        std::hint::black_box(work()?);
        let (result, peak_heap) = CountingAllocator::track(|| work().map(std::hint::black_box));
        result?;
        peaks.push(peak_heap);
    }
    let mut times = vec![Vec::with_capacity(iterations); works.len()];
    for _ in 0..iterations {
        for (work, times) in works.iter_mut().zip(&mut times) {
            let start = Instant::now();
            std::hint::black_box(work()?);
            times.push(start.elapsed());
        }
    }
    Ok(times
        .into_iter()
        .zip(peaks)
        .map(|(mut times, peak_heap)| {
            times.sort();
            Phase {
                median: times[times.len() / 2],
                peak_heap,
            }
        })
        .collect())
}

/// Runs `work` once to warm up and once with the heap counted (untimed), then `iterations`
/// times; the median time and the peak heap.
fn measure(
    iterations: usize,
    mut work: impl FnMut() -> Result<usize, Failure>,
) -> Result<Phase, Failure> {
    std::hint::black_box(work()?);
    let (result, peak_heap) = CountingAllocator::track(|| work().map(std::hint::black_box));
    result?;
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        std::hint::black_box(work()?);
        times.push(start.elapsed());
    }
    times.sort();
    Ok(Phase {
        median: times[times.len() / 2],
        peak_heap,
    })
}

/// The system allocator, counting the bytes live while the benchmark measures a phase. The
/// `xtask` binary installs it as its global allocator; outside tracking it costs one relaxed
/// load per call.
pub struct CountingAllocator;

static TRACKING: AtomicBool = AtomicBool::new(false);
static INSTALLED: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl CountingAllocator {
    /// Runs `work` and returns its result and the most bytes live at once during it (above what
    /// was live when it started), if this allocator is the global one.
    fn track<T>(work: impl FnOnce() -> T) -> (T, Option<usize>) {
        LIVE.store(0, Ordering::SeqCst);
        PEAK.store(0, Ordering::SeqCst);
        INSTALLED.store(false, Ordering::SeqCst);
        TRACKING.store(true, Ordering::SeqCst);
        let result = work();
        TRACKING.store(false, Ordering::SeqCst);
        let peak = INSTALLED
            .load(Ordering::SeqCst)
            .then(|| PEAK.load(Ordering::SeqCst));
        (result, peak)
    }

    fn added(size: usize) {
        INSTALLED.store(true, Ordering::Relaxed);
        let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }

    fn removed(size: usize) {
        // Frees of memory allocated before tracking began may take the count below zero.
        let _ = LIVE.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |live| {
            Some(live.saturating_sub(size))
        });
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters only observe.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if TRACKING.load(Ordering::Relaxed) {
            Self::added(layout.size());
        }
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if TRACKING.load(Ordering::Relaxed) {
            Self::removed(layout.size());
        }
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if TRACKING.load(Ordering::Relaxed) {
            Self::added(new_size);
            Self::removed(layout.size());
        }
        // SAFETY: as for `alloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Every quick-xml event of the document, counted; nothing is built.
fn tokenize(bytes: &[u8]) -> Result<usize, Failure> {
    let mut reader = Reader::from_reader(bytes);
    let mut count = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return Ok(count),
            Ok(event) => {
                std::hint::black_box(&event);
                count += 1;
            }
            Err(error) => return Err(Failure(format!("xtask: error: quick-xml: {error}"))),
        }
    }
}

fn first_message(diagnostics: Vec<msgraph_codegen::Diagnostic>) -> Failure {
    let message = diagnostics
        .first()
        .map_or("no diagnostic", |d| d.message.as_str());
    Failure(format!(
        "xtask: error: the benchmark input does not load: {message}"
    ))
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn peak_text(bytes: Option<usize>) -> String {
    bytes.map_or("n/a".to_string(), |b| format!("{:.1} MB", megabytes(b)))
}

/// A figure in kB from `/proc/self/status`, such as `VmHWM:` (the peak resident memory).
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A valid CSDL document of about `target` bytes, shaped like Graph: one schema of entity and
/// complex types with properties, inheritance, navigation properties, enums, bound operations,
/// an entity container and `Annotations` blocks with descriptions. Every name is unique, so it
/// reads and resolves without errors.
pub fn synthetic_csdl(target: usize) -> Vec<u8> {
    let mut out = String::with_capacity(target + 4096);
    out.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n",
        "  <edmx:DataServices>\n",
        "    <Schema Namespace=\"bench.synthetic\" Alias=\"s\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n",
        "      <EntityType Name=\"entity\" Abstract=\"true\">\n",
        "        <Key><PropertyRef Name=\"id\" /></Key>\n",
        "        <Property Name=\"id\" Type=\"Edm.String\" Nullable=\"false\" />\n",
        "      </EntityType>\n",
    ));
    let mut sets = String::new();
    let mut annotations = String::new();
    let mut index = 0usize;
    // Each group adds roughly 2 kB of types and 0.5 kB of container and annotations.
    while out.len() + sets.len() + annotations.len() < target {
        let _ = write!(
            out,
            concat!(
                "      <EnumType Name=\"status{i}\">\n",
                "        <Member Name=\"active\" Value=\"0\" />\n",
                "        <Member Name=\"retired\" Value=\"1\" />\n",
                "      </EnumType>\n",
                "      <ComplexType Name=\"detail{i}\">\n",
                "        <Property Name=\"label\" Type=\"Edm.String\" />\n",
                "        <Property Name=\"tags\" Type=\"Collection(Edm.String)\" Nullable=\"false\" />\n",
                "        <Property Name=\"status\" Type=\"s.status{i}\" />\n",
                "      </ComplexType>\n",
                "      <EntityType Name=\"item{i}\" BaseType=\"s.entity\">\n",
                "        <Property Name=\"displayName\" Type=\"Edm.String\" />\n",
                "        <Property Name=\"createdDateTime\" Type=\"Edm.DateTimeOffset\" />\n",
                "        <Property Name=\"size\" Type=\"Edm.Int64\" Nullable=\"false\" />\n",
                "        <Property Name=\"detail\" Type=\"s.detail{i}\" />\n",
                "        <Property Name=\"history\" Type=\"Collection(s.detail{i})\" />\n",
                "        <NavigationProperty Name=\"children\" Type=\"Collection(s.item{i})\" ContainsTarget=\"true\" />\n",
                "        <NavigationProperty Name=\"parent\" Type=\"s.item{i}\" />\n",
                "      </EntityType>\n",
                "      <Action Name=\"archive\" IsBound=\"true\">\n",
                "        <Parameter Name=\"bindingParameter\" Type=\"s.item{i}\" />\n",
                "        <Parameter Name=\"reason\" Type=\"Edm.String\" />\n",
                "      </Action>\n",
                "      <Function Name=\"count\" IsBound=\"true\">\n",
                "        <Parameter Name=\"bindingParameter\" Type=\"Collection(s.item{i})\" />\n",
                "        <ReturnType Type=\"Edm.Int64\" Nullable=\"false\" />\n",
                "      </Function>\n",
            ),
            i = index
        );
        let _ = write!(
            sets,
            concat!(
                "        <EntitySet Name=\"items{i}\" EntityType=\"s.item{i}\">\n",
                "          <NavigationPropertyBinding Path=\"parent\" Target=\"items{i}\" />\n",
                "        </EntitySet>\n",
            ),
            i = index
        );
        let _ = write!(
            annotations,
            concat!(
                "      <Annotations Target=\"s.item{i}\">\n",
                "        <Annotation Term=\"Org.OData.Core.V1.Description\" String=\"An item of group {i} &amp; its details.\" />\n",
                "      </Annotations>\n",
                "      <Annotations Target=\"s.item{i}/size\">\n",
                "        <Annotation Term=\"Org.OData.Core.V1.Description\" String=\"The size in bytes.\" />\n",
                "        <Annotation Term=\"Org.OData.Validation.V1.Minimum\" Int=\"0\" />\n",
                "      </Annotations>\n",
            ),
            i = index
        );
        index += 1;
    }
    out.push_str("      <EntityContainer Name=\"Service\">\n");
    out.push_str(&sets);
    out.push_str("      </EntityContainer>\n");
    out.push_str(&annotations);
    out.push_str("    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_synthetic_document_loads_without_diagnostics() {
        let document = synthetic_csdl(20_000);
        assert!(document.len() >= 20_000);
        let (model, warnings) =
            msgraph_codegen::load(&document).unwrap_or_else(|d| panic!("{d:?}"));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(model.types.len() > 20);
    }
}
