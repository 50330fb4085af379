//! Finds the languages Tessera has texts for: the folders of `locales/` at the root of the
//! repository (pages and messages alike). Adding a language is adding a folder there; this
//! makes its code known to every crate without a list to keep in step.

use std::error::Error;
use std::path::PathBuf;
use std::{env, fs};

fn main() -> Result<(), Box<dyn Error>> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("../../locales");
    println!("cargo::rerun-if-changed={}", root.display());
    let mut codes = Vec::new();
    for entry in fs::read_dir(&root)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            println!("cargo::rerun-if-changed={}", entry.path().display());
            codes.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    // English first: it is the fallback and the reference the others are checked against.
    codes.sort_by_key(|code| (code != "en", code.clone()));
    let list: Vec<String> = codes.iter().map(|code| format!("{code:?}")).collect();
    let out = PathBuf::from(env::var("OUT_DIR")?).join("languages.rs");
    fs::write(
        out,
        format!(
            "/// The languages there are texts for (folders of `locales/`), English first.\n\
             pub const LANGUAGES: &[&str] = &[{}];\n",
            list.join(", ")
        ),
    )?;
    Ok(())
}
