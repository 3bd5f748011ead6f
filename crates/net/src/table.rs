//! A slab of flows: ids are small integers reused after removal, which the
//! stack puts into its epoll tokens.

pub(super) struct Slab<T> {
    items: Vec<Option<T>>,
    free: Vec<usize>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            items: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    pub fn insert(&mut self, v: T) -> usize {
        match self.free.pop() {
            Some(i) => {
                self.items[i] = Some(v);
                i
            }
            None => {
                self.items.push(Some(v));
                self.items.len() - 1
            }
        }
    }

    /// The id the next [`Slab::insert`] will return.
    pub fn slot(&self) -> usize {
        self.free.last().copied().unwrap_or(self.items.len())
    }

    pub fn remove(&mut self, i: usize) -> Option<T> {
        let v = self.items.get_mut(i)?.take();
        if v.is_some() {
            self.free.push(i);
        }
        v
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.items.get_mut(i)?.as_mut()
    }

    /// Every id in use is below this.
    pub fn bound(&self) -> usize {
        self.items.len()
    }

    pub fn len(&self) -> usize {
        self.items.len() - self.free.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_ids() {
        let mut s = Slab::default();
        let a = s.insert(1);
        let _b = s.insert(2);
        assert_eq!(s.remove(a), Some(1));
        assert_eq!(s.remove(a), None);
        assert_eq!(s.slot(), a);
        let c = s.insert(3);
        assert_eq!(c, a);
        assert_eq!(s.slot(), 2);
        assert_eq!(s.bound(), 2);
        assert_eq!(s.len(), 2);
    }
}
