//! `cargo xtask refresh-metadata`: re-extract the structural slice in `metadata/` from a full
//! CSDL (by default the one the config names, found through [`crate::graph_metadata`]).

use std::path::{Path, PathBuf};

use msgraph_codegen::SliceOrigin;

use crate::codegen::{Input, load_config};
use crate::report::{self, Sources};
use crate::{Failure, graph_metadata, metadata_dir};

/// The full CSDL to extract from: `--from`, else the config's `refresh_from` below the Graph
/// metadata folder.
pub fn source_path(from: Option<PathBuf>) -> Result<PathBuf, Failure> {
    if let Some(from) = from {
        return Ok(from);
    }
    let (config_file, config) = load_config()?;
    let relative = config.refresh_from.clone().ok_or_else(|| {
        Failure(format!(
            "{}:1:1: error: the config names no `input.refresh_from`; pass --from FILE",
            config_file.display
        ))
    })?;
    graph_metadata::file(&relative).ok_or_else(|| {
        Failure(format!(
            "xtask: error: `{relative}` was not found in the Graph metadata folder (set ${} or put `shared/graph-metadata` beside the workspace)",
            graph_metadata::ENV_VAR
        ))
    })
}

/// Extracts the slice the config selects from `source`, as CSDL text.
/// `command` is the command line recorded in it.
pub fn extract(source: &Path, date: &str, command: &str) -> Result<String, Failure> {
    let (config_file, config) = load_config()?;
    let input = Input::read(source, source.to_string_lossy().into_owned())?;
    let name = source
        .components()
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let provenance = format!(
        "A structural slice of the Microsoft Graph CSDL, extracted by `{command}`.\n\
         Source: graph-metadata/{name} ({} bytes), extracted on {date}.\n\
         It keeps names, types, keys, nullability, containment and operations; no descriptions.\n\
         Do not edit by hand: change metadata/msgraph.toml and run the command again.",
        input.bytes.len()
    );
    let config_text = config_file.text();
    let csdl_text = input.text();
    msgraph_codegen::extract_slice(
        &input.bytes,
        &config.slice,
        SliceOrigin::Config,
        &provenance,
    )
    .map_err(|diagnostics| {
        let documents = [input];
        let texts = [csdl_text];
        let sources = Sources::new(
            "xtask",
            &documents,
            &texts,
            Some((&config_file, &config_text)),
        );
        Failure(report::render_all(&diagnostics, &sources))
    })
}

/// Writes the slice to the file the config names.
pub fn run(from: Option<PathBuf>, command: &str) -> Result<String, Failure> {
    let source = source_path(from)?;
    let (_, config) = load_config()?;
    let text = extract(&source, &today(), command)?;
    let target = metadata_dir().join(&config.csdl);
    std::fs::write(&target, &text)
        .map_err(|e| Failure(format!("{}: error: cannot write: {e}", target.display())))?;
    Ok(format!(
        "wrote metadata/{} ({} lines) from {}\nnow run `cargo xtask codegen`\n",
        config.csdl,
        text.lines().count(),
        source.display()
    ))
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date((seconds / 86_400) as i64)
}

/// The calendar date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::civil_date;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_782), "2024-02-29");
        assert_eq!(civil_date(20_785), "2026-11-28");
    }
}
