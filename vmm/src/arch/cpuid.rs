//! CPUID for the guest: what KVM supports on this host, with the vCPU's APIC
//! ID and the hypervisor bit filled in, the features KVM implements but does
//! not report on every kernel generation added, and the features the user
//! asked to hide taken out.
//!
//! The TSC-deadline timer is the case in point. KVM emulates it whenever
//! the local APIC is in the kernel (our split irqchip) and says so with
//! `KVM_CAP_TSC_DEADLINE_TIMER`, but `KVM_GET_SUPPORTED_CPUID` began to
//! report CPUID.1:ECX[24] only in late 2024 (Linux 6.14); before that the
//! VMM has to set the bit itself, as QEMU does. A guest told nothing runs
//! with a slower timer, or none.

use kvm_bindings::{kvm_cpuid_entry2, CpuId};

/// A CPUID feature the guest kernel chooses its timer by, which `vmm run
/// --hide-cpuid` can take away to run the kernel's other timer paths on any
/// host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Feature {
    /// x2APIC (CPUID.1:ECX[21]): the APIC through MSRs; without it, the
    /// xAPIC's memory-mapped registers.
    X2apic,
    /// The TSC-deadline timer (CPUID.1:ECX[24]); without it, the APIC
    /// timer's one-shot mode.
    TscDeadline,
}

impl Feature {
    /// Leaf 1 ECX bit.
    fn leaf1_ecx_bit(self) -> u32 {
        match self {
            Feature::X2apic => 1 << 21,
            Feature::TscDeadline => 1 << 24,
        }
    }
}

/// What the host's KVM can do beyond what its supported CPUID says.
#[derive(Clone, Copy, Debug, Default)]
pub struct HostCaps {
    /// `KVM_CAP_TSC_DEADLINE_TIMER`: KVM emulates IA32_TSC_DEADLINE.
    pub tsc_deadline_timer: bool,
}

const HYPERVISOR: u32 = 1 << 31;

pub fn patch(cpuid: &mut CpuId, apic_id: u8, host: HostCaps, hide: &[Feature]) {
    patch_entries(cpuid.as_mut_slice(), apic_id, host, hide);
}

fn patch_entries(entries: &mut [kvm_cpuid_entry2], apic_id: u8, host: HostCaps, hide: &[Feature]) {
    let tsc_deadline = Feature::TscDeadline.leaf1_ecx_bit();
    for entry in entries.iter_mut().filter(|e| e.function == 1) {
        entry.ebx = (entry.ebx & 0x00ff_ffff) | (u32::from(apic_id) << 24);
        // Tell the guest it runs under a hypervisor, as every VMM does.
        entry.ecx |= HYPERVISOR;
        // The capability, not the supported CPUID, is what says whether
        // KVM emulates the MSR: set the bit when it does (older kernels
        // leave it clear), never claim it when it does not.
        if host.tsc_deadline_timer {
            entry.ecx |= tsc_deadline;
        } else {
            entry.ecx &= !tsc_deadline;
        }
        for f in hide {
            entry.ecx &= !f.leaf1_ecx_bit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const X2APIC: u32 = 1 << 21;
    const TSC_DEADLINE: u32 = 1 << 24;

    fn leaf(function: u32, ebx: u32, ecx: u32) -> kvm_cpuid_entry2 {
        kvm_cpuid_entry2 {
            function,
            ebx,
            ecx,
            ..Default::default()
        }
    }

    /// Leaf 1 as KVM reports it before Linux 6.14 (x2APIC, no TSC
    /// deadline) or after (both), an unrelated leaf 7 with bit 24 set.
    fn supported(tsc_deadline_reported: bool) -> Vec<kvm_cpuid_entry2> {
        let ecx = X2APIC
            | 1
            | if tsc_deadline_reported {
                TSC_DEADLINE
            } else {
                0
            };
        vec![
            leaf(0, 0, 0),
            leaf(1, 0x1234_5678, ecx),
            leaf(7, 0, TSC_DEADLINE),
        ]
    }

    fn leaf1(entries: &[kvm_cpuid_entry2]) -> kvm_cpuid_entry2 {
        *entries.iter().find(|e| e.function == 1).unwrap()
    }

    const CAP: HostCaps = HostCaps {
        tsc_deadline_timer: true,
    };
    const NO_CAP: HostCaps = HostCaps {
        tsc_deadline_timer: false,
    };

    #[test]
    fn an_older_kernel_gets_the_tsc_deadline_bit_from_the_capability() {
        let mut e = supported(false);
        patch_entries(&mut e, 3, CAP, &[]);
        let l = leaf1(&e);
        assert_eq!(l.ecx & TSC_DEADLINE, TSC_DEADLINE);
        assert_eq!(l.ecx & (X2APIC | HYPERVISOR | 1), X2APIC | HYPERVISOR | 1);
        assert_eq!(l.ebx, 0x0334_5678, "APIC ID in EBX[31:24], the rest kept");
        assert_eq!(e[2].ecx, TSC_DEADLINE, "only leaf 1 is touched");
    }

    #[test]
    fn a_newer_kernel_keeps_the_bit_it_reports() {
        let mut e = supported(true);
        patch_entries(&mut e, 0, CAP, &[]);
        assert_eq!(leaf1(&e).ecx & TSC_DEADLINE, TSC_DEADLINE);
    }

    #[test]
    fn the_bit_is_never_claimed_without_the_capability() {
        for reported in [false, true] {
            let mut e = supported(reported);
            patch_entries(&mut e, 0, NO_CAP, &[]);
            assert_eq!(leaf1(&e).ecx & TSC_DEADLINE, 0, "reported: {reported}");
        }
    }

    #[test]
    fn hidden_features_are_cleared_whatever_the_host_says() {
        let mut e = supported(true);
        patch_entries(&mut e, 0, CAP, &[Feature::TscDeadline]);
        assert_eq!(leaf1(&e).ecx & (TSC_DEADLINE | X2APIC), X2APIC);
        let mut e = supported(false);
        patch_entries(&mut e, 0, CAP, &[Feature::X2apic, Feature::TscDeadline]);
        assert_eq!(leaf1(&e).ecx & (TSC_DEADLINE | X2APIC), 0);
        assert_eq!(leaf1(&e).ecx & HYPERVISOR, HYPERVISOR);
    }
}
