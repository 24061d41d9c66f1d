//! The pages written since the last check, for `--check-mode dirty-log` and
//! `verify`: KVM's dirty log (the guest's writes) plus the host's own
//! writes, which KVM does not log.

use kvm_ioctls::VmFd;

use super::{Consumer, Flow, Stop};
use crate::console::Console;
use crate::inspect::incremental::DirtyPages;

pub struct DirtyLog<'a> {
    /// The VM, whose memory slot logs the guest's writes in these modes.
    vm: &'a VmFd,
    mem_size: u64,
    /// Pages the host wrote since the last stop (console input).
    host_written: DirtyPages,
}

impl<'a> DirtyLog<'a> {
    pub fn new(vm: &'a VmFd, mem_size: u64) -> DirtyLog<'a> {
        DirtyLog {
            vm,
            mem_size,
            host_written: DirtyPages::default(),
        }
    }

    /// Notes a host write of `[addr, addr + len)` into guest memory.
    pub fn host_wrote(&mut self, addr: u64, len: u64) {
        self.host_written.mark(addr, len);
    }
}

impl Consumer for DirtyLog<'_> {
    fn at_stop(&mut self, stop: &mut Stop, _: &mut Console) -> Result<Flow, String> {
        let bitmap = self
            .vm
            .get_dirty_log(0, self.mem_size as usize)
            .map_err(|e| format!("KVM_GET_DIRTY_LOG failed: {e}"))?;
        let mut dirty = DirtyPages::from_bitmap(bitmap);
        dirty.merge(&std::mem::take(&mut self.host_written));
        // What a hook wrote at this stop.
        if let Some(n) = stop.written {
            dirty.merge(&n.written.borrow());
        }
        stop.dirty = Some(dirty);
        Ok(Flow::Continue)
    }
}
