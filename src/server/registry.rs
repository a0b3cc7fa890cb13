//! The models being served: loaded and checked from a file or a directory,
//! addressed by name, swapped as a whole on reload.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::artifact;
use crate::model::Model;
use crate::score::lead::KnownFields;

/// Characters of the file's SHA-256 used as the model version.
const VERSION_CHARS: usize = 12;

/// The name under which the default model can always be addressed.
pub const DEFAULT_NAME: &str = "default";

/// Where the served models come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// One model file, served under its file stem and as the default.
    File(PathBuf),
    /// Every `*.json` file in a directory, each under its file stem.
    Dir {
        /// The directory.
        dir: PathBuf,
        /// File stem of the default model.
        default: String,
    },
}

impl std::fmt::Display for ModelSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelSource::File(path) => write!(f, "{}", path.display()),
            ModelSource::Dir { dir, default } => {
                write!(f, "{}/*.json (default '{default}')", dir.display())
            }
        }
    }
}

/// Why the models could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A model file failed to load or failed its checks.
    #[error(transparent)]
    Model(#[from] crate::Error),
    /// The directory could not be listed.
    #[error("{dir}: cannot list the models directory: {source}")]
    ReadDir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The directory holds no `*.json` model.
    #[error(
        "{dir}: no model files (*.json); train one with `leadscore train --out {dir}/NAME.json`"
    )]
    Empty {
        /// The directory.
        dir: PathBuf,
    },
    /// The shadow model is not served, or is the default model.
    #[error("no challenger named '{name}' besides the default '{default}' (served: {available}); serve a folder with --models-dir and pass --shadow NAME")]
    NoShadow {
        /// The shadow asked for.
        name: String,
        /// The models served.
        available: String,
        /// The default model.
        default: String,
    },
    /// The prediction log could not be opened.
    #[error("prediction log: {0}")]
    Log(#[source] crate::Error),
    /// The loading task did not finish.
    #[error("model loading was interrupted: {0}")]
    Interrupted(String),
    /// The default model is not among the files.
    #[error("{dir}: no model named '{default}' (found {available}); pass --default-model NAME")]
    NoDefault {
        /// The directory.
        dir: PathBuf,
        /// The default asked for.
        default: String,
        /// The models found.
        available: String,
    },
}

/// One loaded model and where it came from.
#[derive(Debug)]
pub struct ServedModel {
    /// Name it is addressed by (the file stem).
    pub name: String,
    /// The first 12 hex digits of the file's SHA-256: changes with every new file.
    pub version: String,
    /// The file it was loaded from.
    pub path: PathBuf,
    /// The model.
    pub model: Model,
    /// The field names the model knows (to warn about the others).
    pub known: KnownFields,
}

/// Every served model, by name, with a default. Never changes once built;
/// a reload builds a new one.
#[derive(Debug)]
pub struct Registry {
    models: BTreeMap<String, Arc<ServedModel>>,
    default: String,
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| DEFAULT_NAME.to_string())
}

fn load_one(path: &Path) -> Result<ServedModel, RegistryError> {
    let (model, digest) = artifact::load_with_digest(path)?;
    Ok(ServedModel {
        name: stem(path),
        version: digest[..VERSION_CHARS].to_string(),
        path: path.to_path_buf(),
        known: KnownFields::of(&model),
        model,
    })
}

impl Registry {
    /// Load and check every model of `source`; any failure fails the whole load.
    pub fn load(source: &ModelSource) -> Result<Registry, RegistryError> {
        match source {
            ModelSource::File(path) => {
                let served = load_one(path)?;
                let default = served.name.clone();
                Ok(Registry {
                    models: BTreeMap::from([(default.clone(), Arc::new(served))]),
                    default,
                })
            }
            ModelSource::Dir { dir, default } => {
                let read_dir = |source| RegistryError::ReadDir {
                    dir: dir.clone(),
                    source,
                };
                let mut paths = Vec::new();
                for entry in std::fs::read_dir(dir).map_err(read_dir)? {
                    let path = entry.map_err(read_dir)?.path();
                    // Hidden files (editors' swap files, our own temporary files) are never models.
                    let hidden = path
                        .file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with('.'));
                    if !hidden && path.extension().is_some_and(|e| e == "json") && path.is_file() {
                        paths.push(path);
                    }
                }
                if paths.is_empty() {
                    return Err(RegistryError::Empty { dir: dir.clone() });
                }
                paths.sort();
                let mut models = BTreeMap::new();
                for path in paths {
                    let served = load_one(&path)?;
                    models.insert(served.name.clone(), Arc::new(served));
                }
                if !models.contains_key(default) {
                    return Err(RegistryError::NoDefault {
                        dir: dir.clone(),
                        default: default.clone(),
                        available: models.keys().cloned().collect::<Vec<_>>().join(", "),
                    });
                }
                Ok(Registry {
                    models,
                    default: default.clone(),
                })
            }
        }
    }

    /// The model called `name`, or the default for `None` (and for
    /// `"default"` when no model has that name).
    pub fn get(&self, name: Option<&str>) -> Option<&Arc<ServedModel>> {
        match name {
            None => self.models.get(&self.default),
            Some(n) => self.models.get(n).or_else(|| {
                (n == DEFAULT_NAME)
                    .then(|| self.models.get(&self.default))
                    .flatten()
            }),
        }
    }

    /// Name of the default model.
    pub fn default_name(&self) -> &str {
        &self.default
    }

    /// Every model, by name.
    pub fn models(&self) -> impl Iterator<Item = &Arc<ServedModel>> {
        self.models.values()
    }

    /// Names of every model.
    pub fn names(&self) -> Vec<String> {
        self.models.keys().cloned().collect()
    }
}
