//! `--timeout`: a thread that, once the deadline passes, sets a flag and
//! kicks the vCPU thread out of KVM_RUN (or out of a blocking console read)
//! with a signal, until the vCPU thread notices.
//!
//! The kick repeats because a signal that lands between the vCPU thread's
//! flag check and its next KVM_RUN would otherwise be lost.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Once};
use std::thread::JoinHandle;
use std::time::Duration;

use vmm_sys_util::signal::{register_signal_handler, SIGRTMIN};

/// Real-time signal used to interrupt the vCPU thread.
fn kick_signal() -> i32 {
    SIGRTMIN() + 1
}

extern "C" fn on_kick(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // Nothing to do: delivering the signal is what interrupts KVM_RUN / read.
}

pub struct Watchdog {
    pub expired: Arc<AtomicBool>,
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Arms the watchdog for the calling thread (the vCPU thread).
    pub fn arm(timeout: Option<Duration>) -> Watchdog {
        let expired = Arc::new(AtomicBool::new(false));
        let Some(timeout) = timeout else {
            return Watchdog {
                expired,
                stop: None,
                thread: None,
            };
        };
        static HANDLER: Once = Once::new();
        HANDLER.call_once(|| {
            // Installed without SA_RESTART, so a blocking read returns EINTR.
            let _ = register_signal_handler(kick_signal(), on_kick);
        });
        // SAFETY: pthread_self has no preconditions.
        let target = unsafe { libc::pthread_self() };
        let (tx, rx) = mpsc::channel::<()>();
        let flag = expired.clone();
        let thread = std::thread::spawn(move || {
            if rx.recv_timeout(timeout) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            flag.store(true, Ordering::SeqCst);
            loop {
                // SAFETY: `target` is joined-before-exit: `disarm` (run by
                // the target thread) stops this loop before that thread ends.
                unsafe { libc::pthread_kill(target, kick_signal()) };
                if rx.recv_timeout(Duration::from_millis(10)) != Err(RecvTimeoutError::Timeout) {
                    return;
                }
            }
        });
        Watchdog {
            expired,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn expired(&self) -> bool {
        self.expired.load(Ordering::SeqCst)
    }

    /// Stops the watchdog thread; must run on the armed thread before it ends.
    pub fn disarm(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.disarm();
    }
}
