//! `vmm`: boots the threadlab microkernel on KVM and runs one static Linux
//! program in it.
//!
//! The library is what the `vmm` binary and the integration tests drive:
//! [`run::run`] takes a [`config::RunConfig`] and [`run::RunOptions`] and
//! returns how the guest ended ([`outcome::Outcome`]), or an
//! [`error::Error`] when the run could not start.
//! Every module owns one concept; see docs/ARCHITECTURE.md.

pub mod arch;
pub mod bench;
pub mod boot;
pub mod config;
pub mod console;
pub mod error;
pub mod hypercall;
pub mod initfs;
pub mod inspect;
pub mod kernel;
pub mod memory;
pub mod outcome;
pub mod program;
pub mod run;
pub mod stop;
pub mod strace;
pub mod symbols;
pub mod vm;
pub mod watchdog;

/// The guest kernel built by vmm/build.rs from guest/kernel and embedded so
/// that `vmm run PROGRAM` needs no other file.
pub static EMBEDDED_KERNEL: &[u8] = include_bytes!(env!("VMM_EMBEDDED_KERNEL"));

/// The static benchmark program `vmm bench` runs in the guest and natively
/// (guest/programs/c/bench-clone.c); empty when the guest programs were not
/// built.
pub static BENCH_PROGRAM: &[u8] = include_bytes!(env!("VMM_BENCH_PROGRAM"));
