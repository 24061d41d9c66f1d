//! `KRc<T>`: the kernel's reference-counted shared object (mm, fs, files,
//! sighand, signal). Like `Rc<RefCell<T>>`, but with a layout the host can
//! read: the count is the first word of the allocation and the value follows
//! at a fixed offset, so `guest/abi`'s records (`MmStruct::users`, ...)
//! describe the real objects. Sharing a resource between tasks is
//! `KRc::clone`, one increment, where copying makes a new object: what
//! CLONE_VM, CLONE_FILES and the other sharing flags choose between.
//!
//! One CPU and interrupts off in the kernel: the count and the borrow flag
//! are plain cells. Borrows are checked at run time as RefCell checks them; a
//! conflicting borrow is a kernel bug and panics.

use alloc::boxed::Box;
use core::cell::{Cell, UnsafeCell};
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

/// The allocation: `refs` at offset 0, `value` at [`KRc::VALUE_OFFSET`].
#[repr(C)]
pub struct KRcBox<T> {
    refs: Cell<u64>,
    pub value: UnsafeCell<T>,
    /// 0: free; > 0: shared borrows; -1: borrowed mutably.
    borrow: Cell<isize>,
}

#[repr(transparent)]
pub struct KRc<T>(NonNull<KRcBox<T>>);

impl<T> KRc<T> {
    pub const VALUE_OFFSET: usize = core::mem::offset_of!(KRcBox<T>, value);

    pub fn new(value: T) -> KRc<T> {
        let b = Box::new(KRcBox {
            refs: Cell::new(1),
            value: UnsafeCell::new(value),
            borrow: Cell::new(0),
        });
        KRc(NonNull::from(Box::leak(b)))
    }

    /// [`KRc::new`], or ENOMEM when the heap has no room.
    pub fn try_new(value: T) -> crate::errno::KResult<KRc<T>> {
        let b = crate::mm::heap::try_box(KRcBox {
            refs: Cell::new(1),
            value: UnsafeCell::new(value),
            borrow: Cell::new(0),
        })?;
        Ok(KRc(NonNull::from(Box::leak(b))))
    }

    fn inner(&self) -> &KRcBox<T> {
        // SAFETY: the box lives while any KRc points at it.
        unsafe { self.0.as_ref() }
    }

    /// Holders of this object.
    pub fn count(&self) -> u64 {
        self.inner().refs.get()
    }

    /// Address of the value, for records that embed list heads and must
    /// not move.
    pub fn as_ptr(&self) -> *mut T {
        self.inner().value.get()
    }

    pub fn borrow(&self) -> Ref<'_, T> {
        let b = &self.inner().borrow;
        assert!(b.get() >= 0, "KRc already borrowed mutably");
        b.set(b.get() + 1);
        Ref(self.inner())
    }

    pub fn borrow_mut(&self) -> RefMut<'_, T> {
        let b = &self.inner().borrow;
        assert!(b.get() == 0, "KRc already borrowed");
        b.set(-1);
        RefMut(self.inner())
    }

    /// `borrow_mut`, or `None` while any borrow is held (for paths that
    /// may run inside a borrow of the same object and must fail instead).
    pub fn try_borrow_mut(&self) -> Option<RefMut<'_, T>> {
        let b = &self.inner().borrow;
        if b.get() != 0 {
            return None;
        }
        b.set(-1);
        Some(RefMut(self.inner()))
    }
}

impl<T> Clone for KRc<T> {
    fn clone(&self) -> KRc<T> {
        let r = &self.inner().refs;
        r.set(r.get() + 1);
        KRc(self.0)
    }
}

impl<T> Drop for KRc<T> {
    /// Inline: dropping a shared object is mostly one decrement, and every
    /// call costs when the kernel runs emulated; freeing is out of line.
    #[inline(always)]
    fn drop(&mut self) {
        let r = &self.inner().refs;
        r.set(r.get() - 1);
        if r.get() == 0 {
            self.free();
        }
    }
}

impl<T> KRc<T> {
    #[cold]
    #[inline(never)]
    fn free(&mut self) {
        // SAFETY: the last holder is going; the box came from Box::leak in
        // new(), and no KRc points at it any more.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

pub struct Ref<'a, T>(&'a KRcBox<T>);

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the borrow flag excludes a mutable borrow.
        unsafe { &*self.0.value.get() }
    }
}

impl<T> Drop for Ref<'_, T> {
    fn drop(&mut self) {
        self.0.borrow.set(self.0.borrow.get() - 1);
    }
}

pub struct RefMut<'a, T>(&'a KRcBox<T>);

impl<T> Deref for RefMut<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the borrow flag makes this the only borrow.
        unsafe { &*self.0.value.get() }
    }
}

impl<T> DerefMut for RefMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above.
        unsafe { &mut *self.0.value.get() }
    }
}

impl<T> Drop for RefMut<'_, T> {
    fn drop(&mut self) {
        self.0.borrow.set(0);
    }
}
