//! The Rust standard library's view of the process environment: threads
//! and their names, channels, a mutex and a condition variable, scoped
//! threads, a file written and read back in /tmp, a directory listing,
//! metadata, rename and removal, the environment and the exit status.
//! Every line is the same natively and in the guest.

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;

fn threads() {
    let (tx, rx) = mpsc::channel();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let tx = tx.clone();
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || {
                    let sum: u64 = (0..10_000u64).map(|n| n * i).sum();
                    let name = thread::current().name().unwrap_or("?").to_string();
                    tx.send((i, sum, name)).unwrap();
                    i * 10
                })
                .unwrap()
        })
        .collect();
    drop(tx);
    let mut got: Vec<_> = rx.iter().collect();
    got.sort();
    for (i, sum, name) in &got {
        println!("channel: worker {i} sent {sum} from {name}");
    }
    let joined: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    println!("join: {joined:?}");

    let pair = Arc::new((Mutex::new(0u32), Condvar::new()));
    let p2 = pair.clone();
    let t = thread::spawn(move || {
        for _ in 0..1000 {
            let (m, c) = &*p2;
            *m.lock().unwrap() += 1;
            c.notify_one();
        }
    });
    {
        let (m, c) = &*pair;
        let mut n = m.lock().unwrap();
        while *n < 1000 {
            n = c.wait(n).unwrap();
        }
        println!("condvar: counted {}", *n);
    }
    t.join().unwrap();

    let mut data = vec![1u64; 1000];
    thread::scope(|s| {
        for chunk in data.chunks_mut(250) {
            s.spawn(move || chunk.iter_mut().for_each(|x| *x *= 3));
        }
    });
    println!("scoped: sum {}", data.iter().sum::<u64>());
    // Quietly: a panic message on stderr is what the test harness takes
    // for a panic of its own.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let panicked = thread::spawn(|| {
        if std::env::var_os("NEVER_SET_ANYWHERE").is_none() {
            panic!("on purpose");
        }
    })
    .join()
    .is_err();
    std::panic::set_hook(hook);
    println!("a panicking thread is joined as an error: {panicked}");
}

fn files() -> std::io::Result<()> {
    let dir = std::env::temp_dir().join(format!("std-rs.{}", std::process::id()));
    fs::create_dir(&dir)?;
    let path = dir.join("hello.txt");
    {
        let mut f = fs::File::create(&path)?;
        for i in 0..100 {
            writeln!(f, "line {i}")?;
        }
        f.sync_all()?;
    }
    let text = fs::read_to_string(&path)?;
    println!(
        "file: {} bytes, {} lines, last {:?}",
        text.len(),
        text.lines().count(),
        text.lines().last()
    );
    let mut f = fs::OpenOptions::new().read(true).write(true).open(&path)?;
    f.seek(SeekFrom::Start(5))?;
    f.write_all(b"ONE")?;
    f.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 10];
    f.read_exact(&mut head)?;
    println!("rewrite: {:?}", String::from_utf8_lossy(&head));
    let meta = fs::metadata(&path)?;
    println!(
        "metadata: file {} dir {} len {}",
        meta.is_file(),
        meta.is_dir(),
        meta.len()
    );
    fs::create_dir_all(dir.join("a/b/c"))?;
    fs::write(dir.join("a/b/c/deep"), b"x")?;
    fs::rename(&path, dir.join("renamed.txt"))?;
    let names: BTreeSet<String> = fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    println!("listing: {names:?}");
    println!(
        "missing: {:?}",
        fs::metadata(dir.join("nope")).map_err(|e| e.kind())
    );
    fs::remove_dir_all(&dir)?;
    println!("removed: {}", !dir.exists());
    Ok(())
}

fn main() {
    threads();
    if let Err(e) = files() {
        println!("files failed: {e}");
        std::process::exit(1);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("args: {args:?}");
    std::process::exit(3);
}
