//! Emulated credentials: what Linux's id calls do to one thread's user
//! and group ids, as pure functions over [`Creds`].
//!
//! Contract: each `set*` function returns the thread's new credentials,
//! or the errno the kernel would return, following `kernel/sys.c` and
//! `kernel/groups.c`, with the capabilities of root as
//! `security/commoncap.c` moves them: all or nothing, permitted and
//! effective, so a thread holds CAP_SETUID and CAP_SETGID while its
//! emulated effective set is root's (and its bounding set has them). A
//! thread that gives up every uid 0 loses them for good, unless it asked
//! to keep them (`PR_SET_KEEPCAPS`, as `setpriv` does) and raises them
//! again with `capset`. [`Creds::exec`] is `execve`'s transition, setuid
//! and setgid files included. Nothing here reads a process: see
//! `ownership`, which keeps one [`Creds`] per thread.

/// -1 as the id calls take it: "leave this id as it is".
pub const KEEP: u32 = u32::MAX;
/// The kernel's NGROUPS_MAX.
pub const NGROUPS_MAX: usize = 65536;

/// One thread's emulated user and group ids.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Creds {
    /// Real, effective, saved and filesystem uid.
    pub uid: [u32; 4],
    /// Real, effective, saved and filesystem gid.
    pub gid: [u32; 4],
    /// Supplementary groups, sorted (the kernel keeps them so).
    pub groups: Vec<u32>,
    /// Whether root's capabilities are permitted, and effective.
    pub permitted: bool,
    pub effective: bool,
    /// `PR_SET_KEEPCAPS`: a change away from uid 0 keeps the permitted
    /// set (cleared by `execve`).
    pub keepcaps: bool,
    /// The process started as a non-root user, so the kernel gives it no
    /// capabilities (`SECBIT_NOROOT`, inherited and locked: see
    /// `caps`): what emulated root may do is judged by these credentials
    /// and the bounding set alone, not by the kernel's effective set.
    pub noroot: bool,
}

const R: usize = 0;
const E: usize = 1;
const S: usize = 2;
const FS: usize = 3;

/// Which capability a call needs: CAP_SETUID or CAP_SETGID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    SetUid,
    SetGid,
}

impl Creds {
    /// A process started as `uid:gid` with `groups`.
    pub fn new(uid: u32, gid: u32, groups: &[u32]) -> Creds {
        let mut groups = groups.to_vec();
        groups.sort_unstable();
        groups.dedup();
        Creds {
            uid: [uid; 4],
            gid: [gid; 4],
            groups,
            permitted: uid == 0,
            effective: uid == 0,
            keepcaps: false,
            noroot: uid != 0,
        }
    }

    pub fn euid(&self) -> u32 {
        self.uid[E]
    }

    pub fn fsuid(&self) -> u32 {
        self.uid[FS]
    }

    pub fn fsgid(&self) -> u32 {
        self.gid[FS]
    }

    /// Whether the thread holds `cap` (given `bounding`: whether its
    /// bounding set has it, which only ever shrinks).
    pub fn capable(&self, bounding: bool) -> bool {
        bounding && self.effective
    }

    /// `PR_SET_KEEPCAPS`.
    pub fn set_keepcaps(&self, on: bool) -> Creds {
        let mut c = self.clone();
        c.keepcaps = on;
        c
    }

    /// `capset` of the thread itself: root's capabilities effective or
    /// not, permitted or not (never more than permitted).
    pub fn set_caps(&self, effective: bool, permitted: bool) -> Result<Creds, i32> {
        if (permitted && !self.permitted) || (effective && !permitted) {
            return Err(libc::EPERM);
        }
        let mut c = self.clone();
        c.permitted = permitted;
        c.effective = effective;
        Ok(c)
    }

    /// What a uid change does to the capabilities
    /// (`cap_task_fix_setuid`).
    fn fix_caps(&self, mut new: Creds) -> Creds {
        let had_root = self.uid[..3].contains(&0);
        let has_root = new.uid[..3].contains(&0);
        if had_root && !has_root && !self.keepcaps {
            new.permitted = false;
            new.effective = false;
        }
        if self.uid[E] == 0 && new.uid[E] != 0 {
            new.effective = false;
        }
        if self.uid[E] != 0 && new.uid[E] == 0 {
            new.effective = new.permitted;
        }
        new
    }

    /// Whether `gid` is the thread's fsgid or one of its groups (what
    /// `chown` by a file's owner may give).
    pub fn in_group(&self, gid: u32) -> bool {
        gid == self.gid[FS] || self.groups.binary_search(&gid).is_ok()
    }

    fn ids(&self, cap: Cap) -> &[u32; 4] {
        match cap {
            Cap::SetUid => &self.uid,
            Cap::SetGid => &self.gid,
        }
    }

    fn with(&self, cap: Cap, ids: [u32; 4]) -> Creds {
        let mut c = self.clone();
        match cap {
            Cap::SetUid => {
                c.uid = ids;
                self.fix_caps(c)
            }
            Cap::SetGid => {
                c.gid = ids;
                c
            }
        }
    }

    /// `setuid`/`setgid`: everything with the capability, else the
    /// effective (and fs) id to the real or saved one.
    pub fn set_id(&self, cap: Cap, privileged: bool, id: u32) -> Result<Creds, i32> {
        if id == KEEP {
            return Err(libc::EINVAL);
        }
        let old = self.ids(cap);
        let new = if privileged {
            [id; 4]
        } else if id == old[R] || id == old[S] {
            [old[R], id, old[S], id]
        } else {
            return Err(libc::EPERM);
        };
        Ok(self.with(cap, new))
    }

    /// `setreuid`/`setregid`.
    pub fn set_re(&self, cap: Cap, privileged: bool, r: u32, e: u32) -> Result<Creds, i32> {
        let old = *self.ids(cap);
        let mut new = old;
        if r != KEEP {
            if !privileged && r != old[R] && r != old[E] {
                return Err(libc::EPERM);
            }
            new[R] = r;
        }
        if e != KEEP {
            if !privileged && e != old[R] && e != old[E] && e != old[S] {
                return Err(libc::EPERM);
            }
            new[E] = e;
        }
        if r != KEEP || (e != KEEP && e != old[R]) {
            new[S] = new[E];
        }
        new[FS] = new[E];
        Ok(self.with(cap, new))
    }

    /// `setresuid`/`setresgid`.
    pub fn set_res(
        &self,
        cap: Cap,
        privileged: bool,
        r: u32,
        e: u32,
        s: u32,
    ) -> Result<Creds, i32> {
        let old = *self.ids(cap);
        let allowed = |id: u32| id == KEEP || privileged || old[..3].contains(&id);
        if !(allowed(r) && allowed(e) && allowed(s)) {
            return Err(libc::EPERM);
        }
        let mut new = old;
        for (i, id) in [r, e, s].into_iter().enumerate() {
            if id != KEEP {
                new[i] = id;
            }
        }
        new[FS] = new[E];
        Ok(self.with(cap, new))
    }

    /// `setfsuid`/`setfsgid`: returns the old fs id whatever happens, and
    /// the new credentials when the change is allowed.
    pub fn set_fs(&self, cap: Cap, privileged: bool, id: u32) -> (u32, Option<Creds>) {
        let old = *self.ids(cap);
        if id == KEEP || !(privileged || old.contains(&id)) {
            return (old[FS], None);
        }
        let mut c = self.clone();
        match cap {
            Cap::SetUid => c.uid[FS] = id,
            Cap::SetGid => c.gid[FS] = id,
        }
        (old[FS], Some(c))
    }

    /// `setgroups`: needs CAP_SETGID.
    pub fn set_groups(&self, privileged: bool, groups: &[u32]) -> Result<Creds, i32> {
        if groups.len() > NGROUPS_MAX {
            return Err(libc::EINVAL);
        }
        if !privileged {
            return Err(libc::EPERM);
        }
        let mut c = self.clone();
        c.groups = groups.to_vec();
        c.groups.sort_unstable();
        Ok(c)
    }

    /// What `execve` makes of the credentials when the file it runs has
    /// `setuid` (its owner) and `setgid` (its group) to honour: the saved
    /// and fs ids follow the effective ones, as the kernel always does.
    pub fn exec(&self, setuid: Option<u32>, setgid: Option<u32>) -> Creds {
        let mut c = self.clone();
        if let Some(u) = setuid {
            c.uid[E] = u;
        }
        if let Some(g) = setgid {
            c.gid[E] = g;
        }
        c.uid[S] = c.uid[E];
        c.uid[FS] = c.uid[E];
        c.gid[S] = c.gid[E];
        c.gid[FS] = c.gid[E];
        // Root's capabilities for a root process (real or effective), in
        // effect when the effective uid is root's; keepcaps ends.
        c.permitted = c.uid[E] == 0 || c.uid[R] == 0;
        c.effective = c.uid[E] == 0;
        c.keepcaps = false;
        c
    }

    /// The owner a new inode gets: the fsuid, and the directory's group
    /// when it is setgid (`parent`: its recorded gid and mode), else the
    /// fsgid.
    pub fn new_inode_owner(&self, parent: Option<(u32, u32)>) -> (u32, u32) {
        let gid = match parent {
            Some((g, mode)) if mode & libc::S_ISGID != 0 => g,
            _ => self.gid[FS],
        };
        (self.uid[FS], gid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Creds {
        Creds::new(0, 0, &[])
    }

    #[test]
    fn setuid_from_root_drops_for_good() {
        let c = root();
        let d = c.set_id(Cap::SetUid, c.capable(true), 33).unwrap();
        assert_eq!(d.uid, [33; 4]);
        // apt's check: no way back.
        assert_eq!(d.set_id(Cap::SetUid, d.capable(true), 0), Err(libc::EPERM));
        assert_eq!(
            d.set_res(Cap::SetUid, d.capable(true), KEEP, 0, KEEP),
            Err(libc::EPERM)
        );
        assert_eq!(d.set_id(Cap::SetUid, false, 33).unwrap().uid, [33; 4]);
        assert_eq!(c.set_id(Cap::SetUid, true, KEEP), Err(libc::EINVAL));
    }

    #[test]
    fn seteuid_keeps_the_way_back() {
        let c = root();
        // seteuid(33) is setresuid(-1, 33, -1).
        let d = c.set_res(Cap::SetUid, true, KEEP, 33, KEEP).unwrap();
        assert_eq!(d.uid, [0, 33, 0, 33]);
        assert!(!d.capable(true));
        let back = d.set_res(Cap::SetUid, false, KEEP, 0, KEEP).unwrap();
        assert_eq!(back.uid, [0; 4]);
        // setuid(0) unprivileged: the real id is 0, so the effective one
        // may go there.
        assert_eq!(d.set_id(Cap::SetUid, false, 0).unwrap().uid, [0, 0, 0, 0]);
    }

    #[test]
    fn setreuid_rules() {
        let c = Creds::new(1000, 1000, &[]);
        assert_eq!(c.set_re(Cap::SetUid, false, 0, KEEP), Err(libc::EPERM));
        let r = root().set_re(Cap::SetUid, true, 5, 6).unwrap();
        assert_eq!(r.uid, [5, 6, 6, 6]);
        // e == old real: the saved id stays.
        let x = root().set_res(Cap::SetUid, true, 7, 0, 0).unwrap();
        let y = x.set_re(Cap::SetUid, true, KEEP, 7).unwrap();
        assert_eq!(y.uid, [7, 7, 0, 7]);
    }

    #[test]
    fn setfsuid_returns_the_old_id() {
        let c = Creds::new(1000, 1000, &[]);
        assert_eq!(c.set_fs(Cap::SetUid, false, 0), (1000, None));
        let (old, new) = root().set_fs(Cap::SetUid, true, 33);
        assert_eq!((old, new.unwrap().uid), (0, [0, 0, 0, 33]));
        assert_eq!(c.set_fs(Cap::SetUid, false, KEEP), (1000, None));
    }

    #[test]
    fn groups_need_root() {
        let c = root().set_groups(true, &[27, 4]).unwrap();
        assert_eq!(c.groups, vec![4, 27]);
        assert!(c.in_group(27) && c.in_group(0) && !c.in_group(5));
        let d = Creds::new(33, 33, &[]);
        assert_eq!(d.set_groups(false, &[]), Err(libc::EPERM));
        assert_eq!(
            root().set_groups(true, &vec![1; NGROUPS_MAX + 1]),
            Err(libc::EINVAL)
        );
    }

    #[test]
    fn gids_follow_the_same_rules() {
        let c = root();
        let d = c.set_id(Cap::SetGid, true, 33).unwrap();
        assert_eq!((d.gid, d.uid), ([33; 4], [0; 4]));
        // Still root: may change its gid again.
        assert!(d.capable(true));
        // Not without the bounding set.
        assert!(!d.capable(false));
    }

    #[test]
    fn exec_of_setuid_files() {
        let u = Creds::new(1000, 1000, &[]);
        let su = u.exec(Some(0), None);
        assert_eq!(su.uid, [1000, 0, 0, 0]);
        assert_eq!(su.gid, [1000; 4]);
        assert!(su.capable(true));
        // A plain exec makes saved = effective.
        let x = root().set_res(Cap::SetUid, true, KEEP, 33, KEEP).unwrap();
        assert_eq!(x.exec(None, None).uid, [0, 33, 33, 33]);
    }

    #[test]
    fn keepcaps_and_capset_as_setpriv_does() {
        // setpriv --reuid=33 --regid=33: keepcaps, setresuid, capset back,
        // setresgid.
        let c = root().set_keepcaps(true);
        let d = c.set_res(Cap::SetUid, true, 33, 33, 33).unwrap();
        assert!(d.permitted && !d.effective && !d.capable(true));
        let e = d.set_caps(true, true).unwrap();
        assert!(e.capable(true));
        let f = e.set_res(Cap::SetGid, true, 33, 33, 33).unwrap();
        assert_eq!((f.uid, f.gid), ([33; 4], [33; 4]));
        // Dropped, then exec: nothing left.
        let g = f.exec(None, None);
        assert!(!g.permitted && !g.effective && !g.keepcaps);
        // Without keepcaps, capset cannot bring anything back.
        let h = root().set_id(Cap::SetUid, true, 33).unwrap();
        assert_eq!(h.set_caps(true, true), Err(libc::EPERM));
        assert!(h.set_caps(false, false).is_ok());
    }

    #[test]
    fn new_inodes_take_a_setgid_directory_group() {
        let c = Creds::new(33, 33, &[]);
        assert_eq!(c.new_inode_owner(None), (33, 33));
        assert_eq!(c.new_inode_owner(Some((50, 0o2775))), (33, 50));
        assert_eq!(c.new_inode_owner(Some((50, 0o775))), (33, 33));
    }
}
