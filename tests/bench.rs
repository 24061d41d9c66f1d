//! `vmm bench` end to end (issue 6) at a small iteration count: the table,
//! valid JSON and a valid SVG; every operation positive on both sides; the
//! kernel_clone phases add up to the total. (It measures; it asserts no
//! speed.)

mod common;

use std::process::Command;

#[test]
fn bench_runs_end_to_end() {
    let dir = common::scratch("bench");
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("bench.json");
    let svg = dir.join("bench.svg");
    let out = Command::new(common::vmm_bin())
        .args(["bench", "--iterations", "5", "--threads", "2", "--json"])
        .arg(&json)
        .arg("--svg")
        .arg(&svg)
        .output()
        .expect("vmm bench runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("[3/3] host"), "no progress shown: {stderr}");

    let ops = [
        "getpid",
        "thread create+join (clone)",
        "thread create+join (clone3)",
        "pthread_create+join, warm",
        "pthread_create+join, cold",
        "fork+exit+wait4",
        "vfork+exit+wait4",
        "clone -> child's first instruction",
        "futex wake->wakeup (2 threads)",
        "thread create+join (clone) x2 contended",
    ];
    for op in ops {
        assert!(
            stdout.lines().any(|l| l.starts_with(op)),
            "{op} missing from the table:\n{stdout}"
        );
    }
    for phase in abi::stats::PHASE_NAMES {
        assert!(stdout.contains(phase), "phase {phase} missing:\n{stdout}");
    }

    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).expect("valid JSON");
    let list = r["operations"].as_array().expect("operations");
    assert_eq!(list.len(), ops.len());
    for op in list {
        for side in ["guest", "host"] {
            let m = op[side]["median_ns"].as_f64().unwrap_or(0.0);
            assert!(m > 0.0, "{} {side} median {m}", op["name"]);
            let n = op[side]["samples_ns"].as_array().map_or(0, Vec::len);
            assert!(n >= 5, "{} {side}: {n} samples", op["name"]);
        }
    }
    let k = &r["kernel_clone"];
    assert!(k["calls"].as_u64().unwrap_or(0) > 0, "{k}");
    let total = k["total_ns"].as_f64().unwrap();
    let sum: f64 = k["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["ns"].as_f64().unwrap())
        .sum();
    assert!(
        (sum - total).abs() <= 0.05 * total,
        "phases add up to {sum} ns, kernel_clone took {total} ns"
    );
    assert!(k["first_schedule_ns"].as_f64().unwrap() > 0.0, "{k}");

    let text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    for op in ops {
        assert!(titles.contains(&op), "no panel for {op}");
    }
}

#[test]
fn bench_rejects_an_unknown_operation() {
    let out = Command::new(common::vmm_bin())
        .args([
            "bench",
            "--iterations",
            "2",
            "--only",
            "no such op",
            "--no-host",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .last()
            .unwrap_or("")
            .starts_with("vmm: bench: no operation named"),
        "{stderr}"
    );
}

/// `vmm bench --check-cost` (issue 5's speed report) measures a bare stop
/// and a checked stop at 1, 16 and 64 threads, and a full check's time.
#[test]
fn check_cost_reports_three_thread_counts() {
    let dir = common::scratch("check-cost");
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("cost.json");
    let out = Command::new(common::vmm_bin())
        .args(["bench", "--check-cost", "--iterations", "10", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let rows = rows.as_array().unwrap();
    let threads: Vec<u64> = rows
        .iter()
        .map(|r| r["threads"].as_u64().unwrap())
        .collect();
    assert_eq!(threads, [1, 16, 64]);
    for r in rows {
        for key in [
            "plain_ns",
            "bare_stop_ns",
            "checked_stop_ns",
            "dirty_log_stop_ns",
            "full_stop_ns",
            "incremental_check_ns",
            "full_check_ns",
        ] {
            assert!(r[key].as_f64().unwrap() > 0.0, "{key} in {r}");
        }
    }
}
