//! Volume operations that involve containers: `volume create`, `rm`,
//! `prune`, which volumes are in use, the volumes a new container needs
//! (made and filled from its image when first mounted), and the anonymous
//! volumes that go with a container.
//!
//! Contract: every change is made under the store lock, and "in use" is
//! decided under it from the container records, so a volume can never be
//! removed between a container's creation and its record being written.
//! A volume is in use while any container (running or not) names it, as
//! in Podman: `rm -f` removes those containers first.

use crate::container::{self, ContainerConfig, MountKind};
use rsp_storage::volume::{VolumeError, VolumeRecord};
use rsp_storage::{Store, StoreLock};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum VolumesError {
    #[error(transparent)]
    Volume(#[from] VolumeError),
    #[error(transparent)]
    Store(#[from] rsp_storage::StoreError),
    #[error(transparent)]
    Mount(#[from] crate::mounts::MountError),
    #[error(
        "volume {name} is being used by the following container(s): {}: volume is being used",
        .containers.join(", ")
    )]
    InUse {
        name: String,
        containers: Vec<String>,
    },
}

type Result<T> = std::result::Result<T, VolumesError>;

/// What `volume create` asks for.
#[derive(Clone, Debug, Default)]
pub struct CreateOptions {
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    /// `--ignore`: an existing volume of that name is fine.
    pub ignore_existing: bool,
}

/// `volume create`: checks the options, then makes the volume. Returns its
/// name (a random one for `None`).
pub fn create(store: &Store, name: Option<&str>, o: &CreateOptions) -> Result<String> {
    crate::mounts::check_volume_options(&o.options)?;
    let name = name
        .map(str::to_string)
        .unwrap_or_else(container::random_id);
    if !rsp_storage::volume::valid_name(&name) {
        return Err(VolumeError::BadName(name).into());
    }
    let lock = store.lock()?;
    if o.ignore_existing && store.volume(&name).is_ok() {
        return Ok(name);
    }
    make(
        store,
        &name,
        o.labels.clone(),
        o.options.clone(),
        false,
        &lock,
    )?;
    Ok(name)
}

fn make(
    store: &Store,
    name: &str,
    labels: BTreeMap<String, String>,
    options: BTreeMap<String, String>,
    anonymous: bool,
    lock: &StoreLock,
) -> Result<VolumeRecord> {
    let owner = crate::mounts::volume_owner(&options);
    let rec = VolumeRecord {
        name: name.to_string(),
        driver: rsp_storage::volume::LOCAL.into(),
        created_at: container::now_rfc3339(),
        labels,
        options,
        anonymous,
        needs_copy_up: true,
    };
    store.create_volume(&rec, lock)?;
    if let Some((uid, gid)) = owner {
        rsp_storage::volume::record_owner(&store.volume_data(name)?, uid, gid)?;
    }
    let mut ev = crate::events::Event::new("volume", "create");
    ev.name = name.to_string();
    let _ = crate::events::append(&store.events_path(), &ev);
    Ok(rec)
}

/// Each volume's users: the IDs of the containers whose records name it.
pub fn users(store: &Store) -> Result<BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in container::list(store)? {
        for m in &c.config.mounts {
            if m.kind() == MountKind::Volume {
                out.entry(m.source.clone())
                    .or_default()
                    .push(c.config.id.clone());
            }
        }
    }
    for ids in out.values_mut() {
        ids.dedup();
    }
    Ok(out)
}

/// Removes volume `name`, which no container may use (the caller removes
/// them first for `-f`).
pub fn remove(store: &Store, name: &str) -> Result<()> {
    let lock = store.lock()?;
    remove_locked(store, name, &users(store)?, &lock)
}

/// [`remove`] with the store lock held and `users` read under it.
fn remove_locked(
    store: &Store,
    name: &str,
    users: &BTreeMap<String, Vec<String>>,
    lock: &StoreLock,
) -> Result<()> {
    store.volume(name)?;
    if let Some(ids) = users.get(name)
        && !ids.is_empty()
    {
        return Err(VolumesError::InUse {
            name: name.to_string(),
            containers: ids.clone(),
        });
    }
    store.remove_volume(name, lock)?;
    let mut ev = crate::events::Event::new("volume", "remove");
    ev.name = name.to_string();
    let _ = crate::events::append(&store.events_path(), &ev);
    Ok(())
}

/// `volume prune`: removes every unused volume `keep` does not keep;
/// returns the names removed and the bytes each held.
pub fn prune(store: &Store, keep: &dyn Fn(&VolumeRecord) -> bool) -> Result<Vec<(String, u64)>> {
    let lock = store.lock()?;
    let used = users(store)?;
    let mut removed = Vec::new();
    for v in store.volumes()? {
        if used.contains_key(&v.name) || keep(&v) {
            continue;
        }
        let size = store.volume_size(&v.name);
        remove_locked(store, &v.name, &used, &lock)?;
        removed.push((v.name, size));
    }
    Ok(removed)
}

/// Makes the volumes a new container names that do not exist yet, and
/// fills each one not yet mounted from the image at its path (unless
/// `nocopy`, or it already has files). Runs under the lock of the
/// container's creation, before its record is written.
pub fn prepare(store: &Store, cfg: &ContainerConfig, lock: &StoreLock) -> Result<()> {
    for m in &cfg.mounts {
        if m.kind() != MountKind::Volume {
            continue;
        }
        let mut rec = match store.volume(&m.source) {
            Ok(rec) => rec,
            Err(VolumeError::NotFound(_)) => make(
                store,
                &m.source,
                BTreeMap::new(),
                BTreeMap::new(),
                m.options.anonymous,
                lock,
            )?,
            Err(e) => return Err(e.into()),
        };
        if !rec.needs_copy_up || m.options.nocopy || rec.options.contains_key("type") {
            continue;
        }
        let data = store.volume_data(&rec.name)?;
        let empty = std::fs::read_dir(&data)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if empty {
            let layers = store.image_layers(&cfg.layers)?;
            let keep_root = crate::mounts::volume_owner(&rec.options).is_some();
            rsp_storage::volume::copy_up(layers, &m.destination, &data, &rec.name, !keep_root)?;
        }
        rec.needs_copy_up = false;
        store.save_volume(&rec, lock)?;
    }
    Ok(())
}

/// Removes the anonymous volumes made for `cfg` that no other container
/// uses (`--rm`, `rm -v`). Caller holds the lock; the container's record
/// is already gone.
pub fn remove_anonymous(store: &Store, cfg: &ContainerConfig, lock: &StoreLock) -> Result<()> {
    let anon: Vec<&str> = cfg
        .mounts
        .iter()
        .filter(|m| m.kind() == MountKind::Volume && m.options.anonymous)
        .map(|m| m.source.as_str())
        .collect();
    if anon.is_empty() {
        return Ok(());
    }
    let used = users(store)?;
    for name in anon {
        if used.get(name).is_some_and(|ids| !ids.is_empty()) {
            continue;
        }
        match store.remove_volume(name, lock) {
            Ok(()) | Err(VolumeError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
