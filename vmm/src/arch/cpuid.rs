//! CPUID for the guest: what KVM supports on this host, with the vCPU's APIC
//! ID and the hypervisor bit filled in.

use kvm_bindings::CpuId;

pub fn patch(cpuid: &mut CpuId, apic_id: u8) {
    for entry in cpuid.as_mut_slice() {
        if entry.function == 1 {
            entry.ebx = (entry.ebx & 0x00ff_ffff) | (u32::from(apic_id) << 24);
            // Tell the guest it runs under a hypervisor, as every VMM does.
            entry.ecx |= 1 << 31;
        }
    }
}
