//! The KVM objects of one run: the KVM handle, the VM with its in-kernel
//! irqchip, and vCPU 0 set up to enter the kernel in long mode.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use kvm_bindings::{
    kvm_enable_cap, kvm_msr_entry, Msrs, KVM_CAP_SPLIT_IRQCHIP, KVM_MAX_CPUID_ENTRIES,
};
use kvm_ioctls::{Cap, Kvm, VcpuFd, VmFd};

use crate::arch::{cpuid, regs};
use crate::error::{Error, Result};
use crate::symbols::Symbols;
use abi::hypercall::Registers;

/// `KVM_GET_API_VERSION` of every KVM since Linux 2.6.22.
const KVM_API_VERSION: i32 = 12;
const MSR_IA32_TSC: u32 = 0x10;

pub fn open_kvm(path: &Path) -> Result<Kvm> {
    let cpath = CString::new(path.as_os_str().as_bytes()).map_err(|_| {
        Error::Config(format!(
            "KVM device path {} contains a NUL byte",
            path.display()
        ))
    })?;
    let kvm = Kvm::new_with_path(&cpath).map_err(|e| {
        let hint = match e.errno() {
            libc::ENOENT | libc::ENODEV | libc::ENXIO => {
                "KVM is required: is this a Linux host with the kvm module loaded (and nested virtualization enabled in a VM)?"
            }
            libc::EACCES | libc::EPERM => {
                "KVM needs read/write access to the device: add your user to the kvm group"
            }
            _ => "KVM is required",
        };
        Error::KvmOpen {
            path: path.to_owned(),
            source: std::io::Error::from_raw_os_error(e.errno()),
            hint,
        }
    })?;
    let version = kvm.get_api_version();
    if version != KVM_API_VERSION {
        return Err(Error::NotKvm {
            path: path.to_owned(),
            version,
            expected: KVM_API_VERSION,
        });
    }
    Ok(kvm)
}

pub fn create_vm(kvm: &Kvm) -> Result<VmFd> {
    kvm.create_vm().map_err(Error::ioctl("KVM_CREATE_VM"))
}

/// The local APIC lives in KVM (its timer, and HLT waiting for it, cost no
/// exit to user space); the PIC and IOAPIC, which nothing uses, do not
/// exist: a split irqchip with no IOAPIC pins.
///
/// A full in-kernel irqchip (KVM_CREATE_IRQCHIP) costs an SRCU grace period
/// for its interrupt routing, measured at 5 ms when created before the
/// memslot and 11-15 ms in VM teardown when created after it: more than the
/// whole run's budget. The split irqchip measured 0.2 ms setup + 0.2 ms
/// teardown.
pub fn create_irqchip(vm: &VmFd) -> Result<()> {
    let mut cap = kvm_enable_cap {
        cap: KVM_CAP_SPLIT_IRQCHIP,
        ..Default::default()
    };
    cap.args[0] = 0;
    vm.enable_cap(&cap)
        .map_err(Error::ioctl("KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP)"))
}

/// Creates vCPU 0 with host-like CPUID and the boot register state.
pub fn create_boot_vcpu(
    kvm: &Kvm,
    vm: &VmFd,
    entry: u64,
    boot_info: u64,
    cr3: u64,
    hide: &[cpuid::Feature],
) -> Result<VcpuFd> {
    let vcpu = vm.create_vcpu(0).map_err(Error::ioctl("KVM_CREATE_VCPU"))?;
    let mut cpuid = kvm
        .get_supported_cpuid(KVM_MAX_CPUID_ENTRIES)
        .map_err(Error::ioctl("KVM_GET_SUPPORTED_CPUID"))?;
    let host = cpuid::HostCaps {
        tsc_deadline_timer: kvm.check_extension(Cap::TscDeadlineTimer),
    };
    cpuid::patch(&mut cpuid, 0, host, hide);
    vcpu.set_cpuid2(&cpuid)
        .map_err(Error::ioctl("KVM_SET_CPUID2"))?;
    let sregs = vcpu.get_sregs().map_err(Error::ioctl("KVM_GET_SREGS"))?;
    vcpu.set_sregs(&regs::boot_sregs(sregs, cr3))
        .map_err(Error::ioctl("KVM_SET_SREGS"))?;
    vcpu.set_regs(&regs::boot_regs(entry, boot_info))
        .map_err(Error::ioctl("KVM_SET_REGS"))?;
    vcpu.set_fpu(&regs::boot_fpu())
        .map_err(Error::ioctl("KVM_SET_FPU"))?;
    Ok(vcpu)
}

/// The guest's TSC frequency in kHz, 0 if KVM cannot tell.
pub fn tsc_khz(vcpu: &VcpuFd) -> u64 {
    vcpu.get_tsc_khz().map(u64::from).unwrap_or(0)
}

/// The guest's TSC now (IA32_TSC as the vCPU sees it).
pub fn guest_tsc(vcpu: &VcpuFd) -> Option<u64> {
    let mut msrs = Msrs::from_entries(&[kvm_msr_entry {
        index: MSR_IA32_TSC,
        ..Default::default()
    }])
    .ok()?;
    match vcpu.get_msrs(&mut msrs) {
        Ok(1) => Some(msrs.as_slice()[0].data),
        _ => None,
    }
}

/// Registers of a stopped vCPU, its instruction pointer named with the
/// program's symbols when the vCPU was in user mode (CPL 3: the program was
/// running) and with the kernel's otherwise.
pub fn dump_vcpu(vcpu: &VcpuFd, kernel: &Symbols, program: &Symbols) -> String {
    let (Ok(r), Ok(sr)) = (vcpu.get_regs(), vcpu.get_sregs()) else {
        return "  (registers unavailable)".into();
    };
    let regs = Registers {
        rax: r.rax,
        rbx: r.rbx,
        rcx: r.rcx,
        rdx: r.rdx,
        rsi: r.rsi,
        rdi: r.rdi,
        rbp: r.rbp,
        rsp: r.rsp,
        r8: r.r8,
        r9: r.r9,
        r10: r.r10,
        r11: r.r11,
        r12: r.r12,
        r13: r.r13,
        r14: r.r14,
        r15: r.r15,
        rip: r.rip,
        rflags: r.rflags,
        cs: sr.cs.selector.into(),
        ss: sr.ss.selector.into(),
        cr2: sr.cr2,
        cr3: sr.cr3,
        vector: u64::MAX,
        error_code: 0,
    };
    let symbols = if regs.cs & 3 == 3 { program } else { kernel };
    let mut s = crate::hypercall::format_registers(&regs, symbols);
    s += &format!(
        "  cr0 {:016x} cr4 {:016x} efer {:x} gdt {:x}/{:x} idt {:x}/{:x} tr {:04x} fs.base {:x} gs.base {:x}",
        sr.cr0, sr.cr4, sr.efer, sr.gdt.base, sr.gdt.limit, sr.idt.base, sr.idt.limit, sr.tr.selector, sr.fs.base,
        sr.gs.base
    );
    s
}

/// "KVM internal error" with KVM's suberror and data words (1 = instruction
/// emulation failed, 3 = delivery event during delivery, ...).
pub fn internal_error(vcpu: &mut VcpuFd) -> String {
    let run = vcpu.get_kvm_run();
    // SAFETY: after a KVM_EXIT_INTERNAL_ERROR exit the `internal` member of
    // the union is the one KVM filled.
    let internal = unsafe { run.__bindgen_anon_1.internal };
    let n = (internal.ndata as usize).min(internal.data.len());
    let what = match internal.suberror {
        1 => " (instruction emulation failed)",
        2 => " (simultaneous exceptions)",
        3 => " (event delivery failed)",
        _ => "",
    };
    format!(
        "KVM internal error, suberror {}{what}, data {:x?}",
        internal.suberror,
        &internal.data[..n]
    )
}
