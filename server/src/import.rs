//! `server import-registry FILE.csv` and `server import-directory FILE.csv`: the operator fills
//! the enterprise registry and the WeChat-side directory, which have no public API
//! (docs/deploy.md lists the columns). Every row is checked first; one bad row refuses the
//! whole file, naming its line and what is wrong, never the value itself (the files hold ID
//! numbers and mobiles).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::crypto::Vault;
use crate::storage::{Db, DirectoryEnterprise, RegistryEntry, SealedPerson};

/// Why a file was refused. Never holds a value from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The file's line (1 = the header), when one line is at fault.
    pub line: Option<u64>,
    pub message: String,
}

impl ImportError {
    fn at(line: u64, message: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            message: message.into(),
        }
    }

    fn file(message: impl Into<String>) -> Self {
        Self {
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ImportError {}

/// The columns of the registry file, in any order.
pub const REGISTRY_COLUMNS: [&str; 3] = ["uscc", "name", "legal_rep"];
/// The columns of the directory file, in any order.
pub const DIRECTORY_COLUMNS: [&str; 6] =
    ["kind", "uscc", "enterprise", "name", "id_number", "mobile"];

/// One row: its values by column name, trimmed.
type Row = HashMap<&'static str, String>;

/// The rows of a CSV file with a header naming at least `columns`, each with its line.
fn rows(input: impl Read, columns: &[&'static str]) -> Result<Vec<(u64, Row)>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
    let header = reader
        .headers()
        .map_err(|_| ImportError::at(1, "the header row is not UTF-8 CSV (save as CSV UTF-8)"))?
        .clone();
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    if names.iter().all(|n| n.is_empty()) {
        return Err(ImportError::file(
            "the file is empty: a header row is required",
        ));
    }
    let mut index = HashMap::new();
    for column in columns {
        let Some(i) = names.iter().position(|n| n == column) else {
            return Err(ImportError::at(
                1,
                format!(
                    "the header has no `{column}` column (expected: {})",
                    columns.join(",")
                ),
            ));
        };
        index.insert(*column, i);
    }
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        // Without a position (never, for a file), the record's count still names the row.
        let fallback = n as u64 + 2;
        let record = record.map_err(|e| {
            let line = e.position().map_or(fallback, |p| p.line());
            let why = match e.kind() {
                csv::ErrorKind::UnequalLengths { .. } => {
                    "not as many fields as the header has columns"
                }
                csv::ErrorKind::Utf8 { .. } => "not UTF-8 text (save the file as CSV UTF-8)",
                _ => "cannot be read as CSV",
            };
            ImportError::at(line, why)
        })?;
        let line = record.position().map_or(fallback, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let values = index
            .iter()
            .map(|(column, &i)| (*column, record.get(i).unwrap_or("").trim().to_owned()))
            .collect();
        out.push((line, values));
    }
    if out.is_empty() {
        return Err(ImportError::file("the file has a header but no rows"));
    }
    Ok(out)
}

/// Checks every row of a registry file (`uscc,name,legal_rep`).
pub fn parse_registry(input: impl Read) -> Result<Vec<RegistryEntry>, ImportError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (line, row) in rows(input, &REGISTRY_COLUMNS)? {
        let uscc = api::validate::uscc(&row["uscc"])
            .map_err(|e| ImportError::at(line, format!("uscc: {e}")))?;
        if !seen.insert(uscc.clone()) {
            return Err(ImportError::at(line, "uscc: listed twice in this file"));
        }
        let name = api::validate::enterprise_name(&row["name"])
            .map_err(|e| ImportError::at(line, format!("name: {e}")))?;
        let legal_rep = api::validate::person_name(&row["legal_rep"])
            .map_err(|e| ImportError::at(line, format!("legal_rep: {e}")))?;
        out.push(RegistryEntry {
            uscc,
            name,
            legal_rep,
        });
    }
    Ok(out)
}

/// A person's columns, checked and sealed.
fn person(vault: &Vault, line: u64, row: &Row) -> Result<(String, SealedPerson), ImportError> {
    let name = api::validate::person_name(&row["name"])
        .map_err(|e| ImportError::at(line, format!("name: {e}")))?;
    let id = api::validate::id_number(&row["id_number"])
        .map_err(|e| ImportError::at(line, format!("id_number: {e}")))?;
    let mobile = api::validate::mobile(&row["mobile"])
        .map_err(|e| ImportError::at(line, format!("mobile: {e}")))?;
    let index = vault.blind_index(&id);
    Ok((
        index.clone(),
        SealedPerson {
            name,
            id_index: index,
            id_sealed: vault.seal(&id),
            mobile_sealed: vault.seal(&mobile),
        },
    ))
}

/// Checks every row of a directory file (`kind,uscc,enterprise,name,id_number,mobile`) and
/// seals its numbers. `kind` is `enterprise` (the enterprise's name in `enterprise`, its super
/// admin in `name,id_number,mobile`) or `employee` (an employee with an e-sign account; the
/// enterprise must have its own row in the file). The file describes each enterprise it
/// names completely.
pub fn parse_directory(
    input: impl Read,
    vault: &Vault,
) -> Result<Vec<DirectoryEnterprise>, ImportError> {
    let rows = rows(input, &DIRECTORY_COLUMNS)?;
    let mut enterprises: Vec<DirectoryEnterprise> = Vec::new();
    let mut by_uscc: HashMap<String, usize> = HashMap::new();
    let mut employees = Vec::new();
    for (line, row) in &rows {
        let line = *line;
        let uscc = api::validate::uscc(&row["uscc"])
            .map_err(|e| ImportError::at(line, format!("uscc: {e}")))?;
        let (index, p) = person(vault, line, row)?;
        match row["kind"].to_ascii_lowercase().as_str() {
            "enterprise" => {
                if by_uscc.contains_key(&uscc) {
                    return Err(ImportError::at(line, "uscc: this enterprise has two rows"));
                }
                let name = api::validate::enterprise_name(&row["enterprise"])
                    .map_err(|e| ImportError::at(line, format!("enterprise: {e}")))?;
                by_uscc.insert(uscc.clone(), enterprises.len());
                enterprises.push(DirectoryEnterprise {
                    uscc,
                    name,
                    super_admin: p,
                    employees: Vec::new(),
                });
            }
            "employee" => employees.push((line, uscc, index, p, row["enterprise"].clone())),
            _ => {
                return Err(ImportError::at(
                    line,
                    "kind: must be `enterprise` or `employee`",
                ))
            }
        }
    }
    let mut seen: HashSet<(String, String)> = enterprises
        .iter()
        .map(|e| (e.uscc.clone(), e.super_admin.id_index.clone()))
        .collect();
    for (line, uscc, index, p, enterprise) in employees {
        let Some(&i) = by_uscc.get(&uscc) else {
            return Err(ImportError::at(
                line,
                "uscc: no `enterprise` row in this file for this employee's enterprise",
            ));
        };
        let e = &mut enterprises[i];
        if !enterprise.is_empty()
            && api::validate::enterprise_name(&enterprise).ok().as_ref() != Some(&e.name)
        {
            return Err(ImportError::at(
                line,
                "enterprise: not the name of the enterprise row with this uscc (leave it empty)",
            ));
        }
        if !seen.insert((uscc, index)) {
            return Err(ImportError::at(
                line,
                "id_number: this person is listed twice for this enterprise (or is its super admin)",
            ));
        }
        e.employees.push(p);
    }
    Ok(enterprises)
}

fn open(path: &Path) -> Result<std::fs::File, ImportError> {
    std::fs::File::open(path)
        .map_err(|e| ImportError::file(format!("cannot open {}: {e}", path.display())))
}

/// Imports a registry file: how many enterprises it held.
pub async fn import_registry(db: &Db, path: &Path, now: i64) -> Result<usize, ImportError> {
    let entries = parse_registry(open(path)?)?;
    db.upsert_registry(&entries, now)
        .await
        .map_err(|e| ImportError::file(format!("database: {e}")))?;
    Ok(entries.len())
}

/// Imports a directory file: how many enterprises and employees it held.
pub async fn import_directory(
    db: &Db,
    vault: &Vault,
    path: &Path,
    now: i64,
) -> Result<(usize, usize), ImportError> {
    let enterprises = parse_directory(open(path)?, vault)?;
    db.replace_directory(&enterprises, now)
        .await
        .map_err(|e| ImportError::file(format!("database: {e}")))?;
    let employees = enterprises.iter().map(|e| e.employees.len()).sum();
    Ok((enterprises.len(), employees))
}

/// Runs an import command on the server's database and data key; prints the counts.
pub async fn run(
    config: &crate::config::Config,
    command: crate::config::Command,
) -> Result<(), String> {
    use crate::config::{real, Command};
    let src = real::Source::environment(config.config.as_deref()).map_err(|e| e.to_string())?;
    let any_real = real::modes(&src, config.providers)
        .map_err(|e| e.to_string())?
        .any_real();
    let db = Db::connect_with(&config.database_url(), 2)
        .await
        .map_err(|e| e.to_string())?;
    let now = chrono::Utc::now().timestamp();
    match command {
        Command::ImportRegistry { file } => {
            let n = import_registry(&db, &file, now)
                .await
                .map_err(|e| format!("{}: refused, nothing imported: {e}", file.display()))?;
            println!("registry: {n} enterprises imported");
        }
        Command::ImportDirectory { file } => {
            let vault = crate::vault(config, any_real)?;
            let (enterprises, employees) = import_directory(&db, &vault, &file, now)
                .await
                .map_err(|e| format!("{}: refused, nothing imported: {e}", file.display()))?;
            println!("directory: {enterprises} enterprises, {employees} employees imported");
        }
    }
    Ok(())
}
