//! `vmm bench` end to end at a small iteration count: the table and what
//! its columns mean, valid JSON, and a latency figure a person can read
//! (laid out with a real font and rendered to PNG, then checked); every
//! operation positive on both sides; the kernel_clone phases add up to the
//! total. (It measures; it asserts no speed.)

mod common;

use std::path::Path;
use std::process::Command;

use resvg::{tiny_skia, usvg};
use vmm::bench::figure::{GUEST_COLOR, HOST_COLOR, PLOT_BACKGROUND, Y_TOP};
use vmm::bench::{CheckCost, Operation, Report, Side};

const SIGNAL_OPS: [&str; 2] = [
    "signal tgkill->handler (2 threads)",
    "signal to self (tgkill+handler+sigreturn)",
];

/// With a kernel that delivers signals, every signal row is there on both
/// sides, with a guest/host ratio, next to getpid with and without a
/// handler.
#[test]
fn bench_measures_signal_delivery() {
    let dir = common::scratch("bench-signals");
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("bench.json");
    let mut names = Vec::new();
    for op in SIGNAL_OPS
        .iter()
        .chain(&["getpid", "getpid, SIGUSR1 handler installed"])
    {
        let out = Command::new(common::vmm_bin())
            .args(["bench", "--iterations", "20", "--only", op, "--json"])
            .arg(&json)
            .output()
            .expect("vmm bench runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{op}: {stdout}\n{stderr}");
        assert!(
            !stderr.contains("not measured in the guest"),
            "{op}: the guest kernel delivered no signal:\n{stderr}"
        );
        let r: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).expect("valid JSON");
        let list = r["operations"].as_array().expect("operations");
        assert_eq!(list.len(), 1, "{op}: {r}");
        let row = &list[0];
        for side in ["guest", "host"] {
            assert!(
                row[side]["median_ns"].as_f64().unwrap_or(0.0) > 0.0,
                "{op} {side}: {row}"
            );
            assert!(
                row[side]["p99_ns"].as_f64().unwrap_or(0.0) > 0.0,
                "{op} {side}: {row}"
            );
        }
        assert!(row["ratio"].as_f64().unwrap_or(0.0) > 0.0, "{op}: {row}");
        names.push(row["name"].as_str().unwrap().to_string());
    }
    assert_eq!(
        names,
        SIGNAL_OPS
            .iter()
            .chain(&["getpid", "getpid, SIGUSR1 handler installed"])
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
}

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

    // The signal rows only where the guest kernel delivers signals; else
    // vmm bench says they were not measured.
    let signals = !stderr.contains("vmm bench: not measured in the guest: signal ");
    let mut ops = vec![
        "getpid",
        "getpid, SIGUSR1 handler installed",
        "thread create+join (clone)",
        "thread create+join (clone3)",
        "pthread_create+join, warm",
        "pthread_create+join, cold",
        "fork+exit+wait4",
        "vfork+exit+wait4",
        "vfork+exec+exit+wait4",
        "clone -> child's first instruction",
        "futex wake->wakeup (2 threads)",
    ];
    if signals {
        ops.extend(SIGNAL_OPS);
    }
    ops.extend([
        "pipe round trip (2 threads)",
        "pipe round trip (2 processes)",
    ]);
    ops.push("thread create+join (clone) x2 contended");
    for &op in &ops {
        assert!(
            stdout.lines().any(|l| l.starts_with(op)),
            "{op} missing from the table:\n{stdout}"
        );
    }
    for phase in abi::stats::PHASE_NAMES {
        assert!(stdout.contains(phase), "phase {phase} missing:\n{stdout}");
    }
    // 5 samples: the tail columns are maxima and say so; the legend says
    // what every column is.
    let header: Vec<&str> = stdout.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "operation",
            "guest",
            "median",
            "max",
            "host",
            "median",
            "max",
            "guest/host",
            "counters",
            "on"
        ],
        "{stdout}"
    );
    for legend in [
        "5 samples per operation and side (thread create+join (clone) x2 contended: 10).",
        "max: the slowest sample, shown instead of the 99th percentile below 100 samples.",
        "guest/host: ",
        "counters on: ",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(legend)),
            "no {legend:?} line under the table:\n{stdout}"
        );
    }
    assert!(stdout.contains("clone-profile"), "{stdout}");

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

    let expect: Vec<Expect> = list
        .iter()
        .map(|op| Expect {
            name: op["name"].as_str().unwrap(),
            samples: [
                op["guest"]["samples_ns"].as_array().unwrap().len(),
                op["host"]["samples_ns"].as_array().unwrap().len(),
            ],
            ratio: op["ratio"].as_f64(),
            label: None,
        })
        .collect();
    let names: Vec<&str> = expect.iter().map(|e| e.name).collect();
    assert_eq!(names, ops);
    check_figure(
        &std::fs::read_to_string(&svg).unwrap(),
        &dir.join("bench.png"),
        &expect,
    );
}

/// Reports a short real run does not give (made-up samples, no guest run):
/// no host side, one sample value, 0 ns, seconds, a long name, sample
/// counts that differ, sides too close for a ratio label.
fn edge_reports() -> [(&'static str, Report); 2] {
    // n samples spread evenly between lo and hi (ns).
    let spread = |n: usize, lo: f64, hi: f64| -> Vec<f64> {
        (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / (n - 1).max(1) as f64)
            .collect()
    };
    let op = |name: &str, g: Vec<f64>, h: Option<Vec<f64>>| {
        Operation::new(name.into(), Side::new(g), None, h.map(Side::new))
    };
    let mut zero_to_fast = spread(200, 40.0, 60.0);
    zero_to_fast[0] = 0.0;
    let with_host = Report {
        iterations: 200,
        operations: vec![
            op("getpid", spread(200, 1e5, 3e5), Some(zero_to_fast)),
            op(
                "thread create+join (clone) x64 contended, with a name as long as a name gets",
                spread(20, 1e6, 2.5e9),
                Some(spread(40, 1e4, 2e4)),
            ),
            op(
                "about as fast on both sides",
                spread(200, 1000.0, 2000.0),
                Some(spread(200, 990.0, 1990.0)),
            ),
        ],
        kernel_clone: None,
    };
    let guest_only = Report {
        iterations: 5,
        operations: vec![op("getpid", vec![1000.0; 5], None)],
        kernel_clone: None,
    };
    [("with-host", with_host), ("guest-only", guest_only)]
}

/// What the figure of one of [`edge_reports`] must show.
fn edge_expect(r: &Report) -> Vec<Expect<'_>> {
    r.operations
        .iter()
        .map(|op| Expect {
            name: &op.name,
            samples: [
                op.guest.samples_ns.len(),
                op.host.as_ref().map_or(0, |h| h.samples_ns.len()),
            ],
            ratio: op.ratio,
            // Apart by orders of magnitude: room for it.
            label: op.ratio.map(|r| r > 100.0),
        })
        .collect()
}

/// The figure for the reports of [`edge_reports`].
#[test]
fn figure_reads_well_at_the_edges() {
    let dir = common::scratch("bench-figure");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, r) in &edge_reports() {
        let svg = vmm::bench::figure::svg(r).unwrap();
        std::fs::write(dir.join(format!("{name}.svg")), &svg).unwrap();
        check_figure(&svg, &dir.join(format!("{name}.png")), &edge_expect(r));
    }
}

/// Why a checker rejects what it is given (its panic message), or None if
/// it passes.
fn fault(check: impl FnOnce() + std::panic::UnwindSafe) -> Option<String> {
    let e = std::panic::catch_unwind(check).err()?;
    Some(match e.downcast::<String>() {
        Ok(s) => *s,
        Err(e) => e
            .downcast_ref::<&str>()
            .map_or("(not a text)".into(), |s| s.to_string()),
    })
}

fn figure_fault(svg: &str, png: &Path, ops: &[Expect]) -> Option<String> {
    fault(|| check_figure(svg, png, ops))
}

/// `svg` without the `nth` (from 0) of the elements written on one line
/// that `pick` selects.
fn without_line(svg: &str, nth: usize, pick: impl Fn(&str) -> bool) -> String {
    let mut seen = 0;
    let mut out = String::new();
    for line in svg.split_inclusive('\n') {
        if pick(line) {
            seen += 1;
            if seen == nth + 1 {
                continue;
            }
        }
        out += line;
    }
    assert!(seen > nth, "no element {nth} to take out");
    out
}

/// `svg` without the `nth` (from 0) text element whose text starts with
/// `text` (plotters writes a text as three lines: tag, text, end tag).
fn without_nth_text(svg: &str, text: &str, nth: usize) -> String {
    let lines: Vec<&str> = svg.split_inclusive('\n').collect();
    let at = (0..lines.len())
        .filter(|i| lines[*i].starts_with(text))
        .nth(nth)
        .unwrap_or_else(|| panic!("no text {nth} {text:?}"));
    assert!(lines[at - 1].starts_with("<text") && lines[at + 1].starts_with("</text>"));
    lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !(at - 1..=at + 1).contains(i))
        .map(|(_, l)| *l)
        .collect()
}

fn without_text(svg: &str, text: &str) -> String {
    without_nth_text(svg, text, 0)
}

/// `svg` with its first `from` made `to`.
fn edited(svg: &str, from: &str, to: &str) -> String {
    assert!(svg.contains(from), "no {from:?} to edit");
    svg.replacen(from, to, 1)
}

/// The value of attribute `name` of the element written on `line`.
fn attr<'a>(line: &'a str, name: &str) -> &'a str {
    let key = format!(" {name}=\"");
    let from = line
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {line:?}"))
        + key.len();
    let len = line[from..].find('"').expect("a closed attribute");
    &line[from..from + len]
}

/// `svg` with each (line, attribute, value) of `edits` made: the
/// attribute set to the value on the `line`th (from 0) line.
fn with_attrs(svg: &str, edits: &[(usize, &str, String)]) -> String {
    svg.split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            edits
                .iter()
                .filter(|(at, _, _)| *at == i)
                .fold(l.to_string(), |l, (_, name, value)| {
                    let old = format!(" {name}=\"{}\"", attr(&l, name));
                    l.replacen(&old, &format!(" {name}=\"{value}\""), 1)
                })
        })
        .collect()
}

/// The lines of `svg`'s circles filled with `fill` (`fill="#RRGGBB"`), in
/// order.
fn circle_lines(svg: &str, fill: &str) -> Vec<usize> {
    svg.split_inclusive('\n')
        .enumerate()
        .filter(|(_, l)| l.starts_with("<circle") && l.contains(fill))
        .map(|(i, _)| i)
        .collect()
}

/// The figure checker fires on broken figures: each edit below breaks one
/// thing a reader needs, and check_figure must reject it, for that reason.
#[test]
fn figure_checks_can_fail() {
    let dir = common::scratch("bench-figure-broken");
    std::fs::create_dir_all(&dir).unwrap();
    let [(_, with_host), (_, guest_only)] = edge_reports();
    let good = vmm::bench::figure::svg(&with_host).unwrap();
    let expect = edge_expect(&with_host);
    let png = dir.join("figure.png");
    assert_eq!(figure_fault(&good, &png, &expect), None);

    let color = |c: (u8, u8, u8)| format!("stroke=\"{}\" stroke-width=\"2\"", hex(c));
    let (guest, host) = (
        color((GUEST_COLOR.0, GUEST_COLOR.1, GUEST_COLOR.2)),
        color((HOST_COLOR.0, HOST_COLOR.1, HOST_COLOR.2)),
    );
    // A curve, not a legend's line sample (which has two points).
    let curve = |stroke: &str, l: &str| l.contains(stroke) && l.matches(',').count() > 2;
    let plot_fill = format!(
        "fill=\"{}\"",
        hex((PLOT_BACKGROUND.0, PLOT_BACKGROUND.1, PLOT_BACKGROUND.2))
    );
    let guest_marker = format!(
        "fill=\"{}\"",
        hex((GUEST_COLOR.0, GUEST_COLOR.1, GUEST_COLOR.2))
    );
    let host_marker = format!(
        "fill=\"{}\"",
        hex((HOST_COLOR.0, HOST_COLOR.1, HOST_COLOR.2))
    );
    // The first panel's median markers (the legend's is black).
    let lines: Vec<&str> = good.split_inclusive('\n').collect();
    let (gm, hm) = (
        circle_lines(&good, &guest_marker)[0],
        circle_lines(&good, &host_marker)[0],
    );
    let cy: f32 = attr(lines[gm], "cy").parse().unwrap();
    let stray = |y: u32| {
        format!(
            "<polyline fill=\"none\" opacity=\"1\" {host} points=\"100,{y} 300,{y} \"/>\n</svg>"
        )
    };
    let broken: Vec<(&str, String, &str)> = vec![
        (
            "no host legend line",
            without_text(&good, "host: "),
            "no legend entry \"host: \"",
        ),
        (
            "no guest legend line",
            without_text(&good, "guest: "),
            "no legend entry \"guest: \"",
        ),
        ("no title", without_text(&good, "vmm bench"), "a title"),
        (
            "a panel's host curve missing",
            without_line(&good, 0, |l| curve(&host, l)),
            "\"getpid\": 0 pixels of side 1's curve",
        ),
        (
            "an empty plot",
            without_line(&without_line(&good, 2, |l| curve(&guest, l)), 2, |l| {
                curve(&host, l)
            }),
            "\"about as fast on both sides\": 0 pixels of side 0",
        ),
        (
            "a plot area missing",
            without_line(&good, 1, |l| l.contains(&plot_fill)),
            "one plot area per operation",
        ),
        (
            "a median marker missing",
            without_line(&good, 0, |l| {
                l.starts_with("<circle") && l.contains(&guest_marker)
            }),
            "guest median markers",
        ),
        (
            "a median marker off the 50% line",
            with_attrs(&good, &[(gm, "cy", (cy - 20.0).to_string())]),
            "off the 50% line",
        ),
        (
            "medians in the wrong order",
            with_attrs(
                &good,
                &[
                    (gm, "cx", attr(lines[hm], "cx").to_string()),
                    (hm, "cx", attr(lines[gm], "cx").to_string()),
                ],
            ),
            "\"getpid\": medians in the wrong order",
        ),
        (
            "a heading without its name",
            without_text(&good, "about as fast"),
            "no heading \"about as fast on both sides\"",
        ),
        (
            "a wrong ratio in a heading",
            edited(&good, "guest/host 4006\u{d7}", "guest/host 4106\u{d7}"),
            ": ratio 40",
        ),
        (
            "a wrong ratio over the data",
            edited(&good, "\n4006\u{d7}\n", "\n406\u{d7}\n"),
            "over the data, ratio",
        ),
        (
            "a wrong sample count",
            edited(&good, "(200 samples each)", "(100 samples each)"),
            "no sample count 200",
        ),
        (
            // Each count is in the heading, but for the other side.
            "sample counts swapped",
            edited(
                &good,
                "(20 guest and 40 host samples)",
                "(40 guest and 20 host samples)",
            ),
            "no sample count 20 guest, 40 host",
        ),
        (
            "no ratio label where the curves leave room",
            without_text(&good, "4006\u{d7}"),
            "\"getpid\": ratio label",
        ),
        (
            "ticks that are not decades",
            edited(&good, "\n10 \u{b5}s\n", "\n20 \u{b5}s\n"),
            "ticks not decades",
        ),
        (
            "a tick as a bare number",
            edited(&good, "\n10 \u{b5}s\n", "\n10\n"),
            "a bare number as a label",
        ),
        (
            "a panel with an x axis of its own",
            // The second panel's last tick.
            without_nth_text(&good, "10 s\n", 1),
            "has its own x axis",
        ),
        (
            "a y label missing",
            without_text(&good, "50%"),
            "y labels, top down",
        ),
        (
            "a text out of the canvas",
            edited(&good, "x=\"16\" y=\"12\"", "x=\"800\" y=\"12\""),
            "sticks out of the",
        ),
        (
            "texts on top of each other",
            edited(&good, "x=\"682\" y=\"82\"", "x=\"300\" y=\"82\""),
            "overlaps",
        ),
        (
            // Caught as a text over the data, before the legend's own
            // check: a plot holds nothing but its ratio label.
            "a legend entry in the first plot",
            edited(&good, "x=\"116\" y=\"82\"", "x=\"116\" y=\"250\""),
            "\"getpid\": texts over the data",
        ),
        (
            // Between the first plot's ticks and the next heading: in no
            // plot and over no text, but below the plots' top.
            "a legend entry under the first plot",
            edited(&good, "x=\"116\" y=\"82\"", "x=\"116\" y=\"316\""),
            "legend entry \"guest: the program",
        ),
        (
            "a curve outside every plot",
            edited(&good, "</svg>", &stray(729)),
            "outside every plot area",
        ),
        (
            "a curve through a text",
            edited(&good, "</svg>", &stray(24)),
            "in the text \"vmm bench",
        ),
    ];
    let mut missed = Vec::new();
    for (what, svg, says) in &broken {
        assert_ne!(svg, &good, "{what}: nothing broken");
        let fault = figure_fault(svg, &png, &expect);
        if !fault.as_deref().is_some_and(|f| f.contains(says)) {
            missed.push(format!("{what}: not rejected for {says:?} but {fault:?}"));
        }
    }
    assert!(missed.is_empty(), "{missed:#?}");

    // A figure that leaves out what the report has: a guest-only figure
    // for operations with a host side.
    let guest_figure = vmm::bench::figure::svg(&guest_only).unwrap();
    let mut claims = edge_expect(&guest_only);
    claims[0].ratio = Some(1.0);
    let fault = figure_fault(&guest_figure, &png, &claims);
    assert!(
        fault.as_deref().is_some_and(|f| f.contains("no ratio in")),
        "{fault:?}"
    );
}

/// What a reader must find about one operation in the figure.
struct Expect<'a> {
    name: &'a str,
    /// Guest and host (0: no host side).
    samples: [usize; 2],
    ratio: Option<f64>,
    /// Whether the ratio is labelled over the data too (None: as the data
    /// leave room).
    label: Option<bool>,
}

/// A box in canvas pixels.
#[derive(Clone, Copy, Debug)]
struct Bx {
    l: f32,
    t: f32,
    r: f32,
    b: f32,
}

impl Bx {
    fn of(r: usvg::Rect) -> Bx {
        Bx {
            l: r.left(),
            t: r.top(),
            r: r.right(),
            b: r.bottom(),
        }
    }
    fn grown(self, d: f32) -> Bx {
        Bx {
            l: self.l - d,
            t: self.t - d,
            r: self.r + d,
            b: self.b + d,
        }
    }
    fn overlaps(&self, o: &Bx) -> bool {
        self.l < o.r && o.l < self.r && self.t < o.b && o.t < self.b
    }
    fn inside(&self, o: &Bx) -> bool {
        self.l >= o.l && self.r <= o.r && self.t >= o.t && self.b <= o.b
    }
    fn contains(&self, x: f32, y: f32) -> bool {
        (self.l..=self.r).contains(&x) && (self.t..=self.b).contains(&y)
    }
    fn cx(&self) -> f32 {
        (self.l + self.r) / 2.0
    }
}

/// The texts (with the tight box of their glyphs) and the plot areas of a
/// laid-out figure.
#[derive(Default)]
struct Laid {
    texts: Vec<(String, Bx)>,
    plots: Vec<Bx>,
}

fn lay_out(g: &usvg::Group, out: &mut Laid) {
    for n in g.children() {
        match n {
            usvg::Node::Group(g) => lay_out(g, out),
            usvg::Node::Text(t) => {
                let s: String = t.chunks().iter().map(|c| c.text()).collect();
                let b = Bx::of(t.flattened().abs_bounding_box());
                out.texts.push((s.trim().to_string(), b));
            }
            usvg::Node::Path(p) => {
                if let Some(usvg::Paint::Color(c)) = p.fill().map(|f| f.paint()) {
                    let bg = PLOT_BACKGROUND;
                    if (c.red, c.green, c.blue) == (bg.0, bg.1, bg.2) {
                        out.plots.push(Bx::of(p.abs_bounding_box()));
                    }
                }
            }
            usvg::Node::Image(_) => {}
        }
    }
}

/// The system's fonts, with a sans-serif face for the generic family the
/// figure asks for.
fn with_fonts() -> usvg::Options<'static> {
    let mut opt = usvg::Options::default();
    let db = opt.fontdb_mut();
    db.load_system_fonts();
    let families: Vec<String> = db
        .faces()
        .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
        .collect();
    let sans = families
        .iter()
        .find(|f| f.contains("Sans") && !f.contains("Mono"))
        .or(families.first())
        .expect("no font installed: the figure's text cannot be laid out")
        .clone();
    db.set_sans_serif_family(sans);
    opt
}

/// An axis label as ns: `100 ns`, `1 µs`, `10 ms`, `1 s`.
fn si_ns(s: &str) -> Option<f64> {
    let (v, unit) = s.split_once(' ')?;
    let scale = match unit {
        "ns" => 1.0,
        "\u{b5}s" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    Some(v.parse::<f64>().ok()? * scale)
}

fn hex(c: (u8, u8, u8)) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Checks the figure as a reader sees it: laid out with a real font (usvg)
/// and rendered (resvg, written to `png`).
fn check_figure(svg: &str, png: &Path, ops: &[Expect]) {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let raw_texts = doc.descendants().filter(|n| n.has_tag_name("text")).count();
    let tree = usvg::Tree::from_str(svg, &with_fonts()).expect("usvg reads the SVG");
    let (w, h) = (tree.size().width(), tree.size().height());
    let mut laid = Laid::default();
    lay_out(tree.root(), &mut laid);
    let Laid { texts, plots } = laid;
    assert_eq!(texts.len(), raw_texts, "a text was not laid out");
    let show = |b: &Bx| format!("({:.0},{:.0})-({:.0},{:.0})", b.l, b.t, b.r, b.b);

    // Nothing clipped, nothing on top of anything else, no raw numbers.
    let canvas = Bx {
        l: 0.0,
        t: 0.0,
        r: w,
        b: h,
    };
    for (s, b) in &texts {
        assert!(
            b.inside(&canvas),
            "{s:?} at {} sticks out of the {w}x{h} canvas",
            show(b)
        );
        assert!(s.parse::<f64>().is_err(), "a bare number as a label: {s:?}");
    }
    for (i, (s, a)) in texts.iter().enumerate() {
        for (t, b) in &texts[i + 1..] {
            assert!(
                !a.overlaps(b),
                "{s:?} at {} overlaps {t:?} at {}",
                show(a),
                show(b)
            );
        }
    }

    // One plot area per operation, in order, each under its own heading:
    // the name, then the medians, their ratio and the sample counts.
    assert_eq!(plots.len(), ops.len(), "one plot area per operation");
    let mut axis: Option<Vec<(String, i32)>> = None;
    for (op, p) in ops.iter().zip(&plots) {
        let near = |band: Bx| -> Vec<(&str, Bx)> {
            texts
                .iter()
                .filter(|(_, b)| b.inside(&band))
                .map(|(s, b)| (s.as_str(), *b))
                .collect()
        };
        let heading = near(Bx {
            t: p.t - 46.0,
            b: p.t,
            ..canvas
        });
        assert!(
            heading.iter().any(|(s, _)| *s == op.name),
            "no heading {:?} over its plot: {heading:?}",
            op.name
        );
        let numbers = heading
            .iter()
            .map(|(s, _)| *s)
            .find(|s| s.contains("median"))
            .unwrap_or_else(|| panic!("no medians over {:?}: {heading:?}", op.name));
        // The whole phrase: a bare number could be a digit of a median.
        let (count, phrase) = match op.samples {
            [g, 0] => (g.to_string(), format!("({g} samples; no host run)")),
            [g, h] if g == h => (g.to_string(), format!("({g} samples each)")),
            [g, h] => (
                format!("{g} guest, {h} host"),
                format!("({g} guest and {h} host samples)"),
            ),
        };
        assert!(
            numbers.ends_with(&phrase),
            "{:?}: no sample count {count} in {numbers:?} (as {phrase:?})",
            op.name
        );
        let inside: Vec<&str> = texts
            .iter()
            .filter(|(_, b)| b.overlaps(p))
            .map(|(s, _)| s.as_str())
            .collect();
        let ratio_in = |text: &str| -> Option<f64> { text.strip_suffix('\u{d7}')?.parse().ok() };
        if let Some(ratio) = op.ratio {
            let shown = numbers
                .split("guest/host ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .and_then(ratio_in)
                .unwrap_or_else(|| panic!("{:?}: no ratio in {numbers:?}", op.name));
            assert!(
                (shown / ratio - 1.0).abs() < 0.006,
                "{numbers:?}: ratio {ratio}"
            );
        }
        // Over the data, only the ratio label, where the curves leave room.
        assert!(
            inside.len() <= 1,
            "{:?}: texts over the data: {inside:?}",
            op.name
        );
        if let Some(label) = inside.first() {
            let (shown, ratio) = (ratio_in(label), op.ratio);
            assert!(
                matches!((shown, ratio), (Some(s), Some(r)) if (s / r - 1.0).abs() < 0.006),
                "{:?}: {label:?} over the data, ratio {ratio:?}",
                op.name
            );
        }
        if let Some(label) = op.label {
            assert_eq!(!inside.is_empty(), label, "{:?}: ratio label", op.name);
        }
        // The latency axis: SI-prefixed decades, the same in every panel.
        let mut ticks = near(Bx {
            l: p.l - 40.0,
            r: p.r + 40.0,
            t: p.b,
            b: p.b + 28.0,
        });
        ticks.sort_by(|a, b| a.1.cx().total_cmp(&b.1.cx()));
        assert!(ticks.len() >= 2, "{:?}: x ticks {ticks:?}", op.name);
        let values: Vec<f64> = ticks
            .iter()
            .map(|(s, _)| si_ns(s).unwrap_or_else(|| panic!("x tick {s:?} has no SI unit")))
            .collect();
        for v in values.windows(2) {
            assert!(
                (v[1] / v[0] - 10.0).abs() < 1e-6,
                "ticks not decades: {ticks:?}"
            );
        }
        let this: Vec<(String, i32)> = ticks
            .iter()
            .map(|(s, b)| (s.to_string(), b.cx().round() as i32))
            .collect();
        match &axis {
            None => axis = Some(this),
            Some(first) => assert_eq!(&this, first, "{:?} has its own x axis", op.name),
        }
        let mut y = near(Bx {
            l: 0.0,
            r: p.l,
            t: p.t - 10.0,
            b: p.b + 10.0,
        });
        y.sort_by(|a, b| a.1.t.total_cmp(&b.1.t));
        let y: Vec<&str> = y.iter().map(|(s, _)| *s).collect();
        assert_eq!(
            y,
            ["100%", "50%", "0%"],
            "{:?}: y labels, top down",
            op.name
        );
    }

    // Title on top, then the legend, both clear of the plots; a legend
    // entry per side drawn.
    let first = plots[0];
    let title = texts
        .iter()
        .find(|(s, _)| s.starts_with("vmm bench"))
        .expect("a title");
    let with_host = ops.iter().any(|op| op.ratio.is_some());
    for entry in ["guest: ", "host: "].iter().take(1 + with_host as usize) {
        let (s, b) = texts
            .iter()
            .find(|(s, _)| s.starts_with(entry))
            .unwrap_or_else(|| panic!("no legend entry {entry:?}"));
        assert!(
            title.1.b < b.t && b.b < first.t - 46.0,
            "legend entry {s:?} at {}, not between the title and the plots",
            show(b)
        );
        assert!(
            plots.iter().all(|p| !b.overlaps(p)),
            "legend entry {s:?} over a plot"
        );
    }
    assert_eq!(
        texts.iter().any(|(s, _)| s.starts_with("host: ")),
        with_host,
        "a host legend entry without host data, or none with"
    );

    // A median marker per side on each panel's 50% line, guest right of
    // host when the guest is slower.
    let circles: Vec<(f32, f32, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .map(|n| {
            let f = |a| {
                n.attribute(a)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f32::NAN)
            };
            (
                f("cx"),
                f("cy"),
                n.attribute("fill").unwrap_or("").to_uppercase(),
            )
        })
        .collect();
    for (op, p) in ops.iter().zip(&plots) {
        let at = |color: (u8, u8, u8)| -> Vec<(f32, f32)> {
            circles
                .iter()
                .filter(|(x, y, c)| p.contains(*x, *y) && *c == hex(color))
                .map(|(x, y, _)| (*x, *y))
                .collect()
        };
        let guest = at((GUEST_COLOR.0, GUEST_COLOR.1, GUEST_COLOR.2));
        let host = at((HOST_COLOR.0, HOST_COLOR.1, HOST_COLOR.2));
        assert_eq!(guest.len(), 1, "{:?}: guest median markers", op.name);
        let y50 = p.b - (p.b - p.t) * 0.5 / Y_TOP as f32;
        assert!(
            (guest[0].1 - y50).abs() < 2.0,
            "{:?}: {guest:?} off the 50% line",
            op.name
        );
        match op.ratio {
            Some(ratio) => {
                assert_eq!(host.len(), 1, "{:?}: host median markers", op.name);
                assert!((host[0].1 - guest[0].1).abs() < 0.5);
                if ratio > 1.5 {
                    assert!(
                        guest[0].0 > host[0].0,
                        "{:?}: medians in the wrong order",
                        op.name
                    );
                }
            }
            None => assert!(host.is_empty()),
        }
    }

    // Rendered: both curves show in every panel, no curve outside them or
    // through a text. The curve itself, not only its side's median marker
    // and dashes, shows: only the curve rises past the 50% line the marker
    // sits on, so some of its pixels are above the 75% line (a few where
    // the other side's curve, drawn later, nearly covers it).
    let mut pixmap = tiny_skia::Pixmap::new(w as u32, h as u32).unwrap();
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.save_png(png).unwrap();
    let close = |px: &tiny_skia::PremultipliedColorU8, c: (u8, u8, u8)| {
        px.alpha() == 255
            && px.red().abs_diff(c.0) < 12
            && px.green().abs_diff(c.1) < 12
            && px.blue().abs_diff(c.2) < 12
    };
    for (color, side) in [(GUEST_COLOR, 0), (HOST_COLOR, 1)] {
        let c = (color.0, color.1, color.2);
        let mut per_plot = vec![0usize; plots.len()];
        let mut high = vec![0usize; plots.len()];
        for (i, px) in pixmap.pixels().iter().enumerate() {
            if !close(px, c) {
                continue;
            }
            let (x, y) = (
                (i as u32 % pixmap.width()) as f32,
                (i as u32 / pixmap.width()) as f32,
            );
            if let Some((s, _)) = texts.iter().find(|(_, b)| b.contains(x, y)) {
                panic!("curve colour at ({x},{y}), in the text {s:?}");
            }
            match plots.iter().position(|p| p.grown(3.0).contains(x, y)) {
                Some(k) => {
                    per_plot[k] += 1;
                    let p = plots[k];
                    if y < p.b - (p.b - p.t) * 0.75 / Y_TOP as f32 {
                        high[k] += 1;
                    }
                }
                None => assert!(
                    y < first.t - 46.0,
                    "curve colour at ({x},{y}), outside every plot area and the legend"
                ),
            }
        }
        for ((op, n), high) in ops.iter().zip(per_plot).zip(high) {
            let drawn = side == 0 || op.ratio.is_some();
            assert_eq!(n > 20, drawn, "{:?}: {n} pixels of side {side}", op.name);
            assert_eq!(
                high > 0,
                drawn,
                "{:?}: {high} pixels of side {side}'s curve above 75%",
                op.name
            );
        }
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

/// `vmm bench --check-cost` measures a bare stop
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
    // The table printed says what the JSON says, its ratios of its own
    // numbers.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(check_cost_table(&stdout), threads, "{stdout}");
    for r in rows {
        // Measured directly (a median of guest samples, host times of
        // checks): never zero.
        for key in ["plain_ns", "incremental_check_ns", "full_check_ns"] {
            assert!(r[key].as_f64().unwrap() > 0.0, "{key} in {r}");
        }
        // Differences of medians of separate guest runs: on a loaded
        // machine a stop's extra cost can vanish in the noise (the bench
        // clamps it at 0), so only its presence and sign are checked.
        for key in [
            "bare_stop_ns",
            "checked_stop_ns",
            "dirty_log_stop_ns",
            "full_stop_ns",
        ] {
            let v = r[key].as_f64().unwrap();
            assert!(v.is_finite() && v >= 0.0, "{key} in {r}");
        }
        // ratio: checked over bare, 0 when the bare stop's cost vanished.
        let (checked, bare) = (
            r["checked_stop_ns"].as_f64().unwrap(),
            r["bare_stop_ns"].as_f64().unwrap(),
        );
        let ratio = r["ratio"].as_f64().unwrap();
        if bare > 0.0 {
            assert!((ratio - checked / bare).abs() <= 1e-9 * ratio, "{r}");
        } else {
            assert_eq!(ratio, 0.0, "{r}");
        }
    }
}

/// The values (ns) that print as the latency `v unit` (`950 ns`, `1.2 us`,
/// `3.45 ms`, `1.20 s`: rounded to the digits shown).
fn printed_ns(v: &str, unit: &str) -> (f64, f64) {
    let scale = match unit {
        "ns" => 1.0,
        "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => panic!("{v} {unit}: not a latency"),
    };
    let (lo, hi) = printed(v);
    (lo * scale, hi * scale)
}

/// The values that print as the decimal `v`.
fn printed(v: &str) -> (f64, f64) {
    let x: f64 = v.parse().unwrap_or_else(|_| panic!("{v:?}: not a number"));
    let decimals = v.split_once('.').map_or(0, |(_, d)| d.len());
    let half = 0.5 * 10f64.powi(-(decimals as i32));
    ((x - half).max(0.0), x + half)
}

/// Checks that the ratio `ratio` (`2.8x`) is `num` over `bare` as printed:
/// some values that print as the three agree. A bare stop's cost of 0 (the
/// bench clamps a difference lost in noise) has the ratio 0.
fn check_ratio(line: &str, num: (f64, f64), bare: (f64, f64), ratio: &str) {
    let shown = printed(
        ratio
            .strip_suffix('x')
            .unwrap_or_else(|| panic!("{ratio:?}: not a ratio in {line:?}")),
    );
    if bare.0 == 0.0 && shown.0 == 0.0 {
        return;
    }
    let (lo, hi) = (num.0 / bare.1, num.1 / bare.0);
    assert!(
        shown.0 <= hi && lo <= shown.1,
        "{ratio} is not {num:?} / {bare:?} (between {lo} and {hi}): {line:?}"
    );
}

/// Checks `vmm bench --check-cost`'s table: a row per thread count, each
/// with every column, and each ratio (`/bare`, and the one after the
/// dirty-log and full costs) the quotient of the printed cost over the
/// printed bare stop's. Returns the thread counts.
fn check_cost_table(table: &str) -> Vec<u64> {
    let mut threads = Vec::new();
    for line in table.lines() {
        let t: Vec<&str> = line.split_whitespace().collect();
        let Some(n) = t.first().and_then(|n| n.parse().ok()) else {
            continue;
        };
        threads.push(n);
        // threads, then: no stops, + bare stop, + --check (each `v unit`),
        // /bare, + dirty-log and + full (each `v unit ratio`), host: incr.
        // and host: full (`v unit`).
        assert_eq!(t.len(), 18, "{line:?}");
        let ns = |i: usize| printed_ns(t[i], t[i + 1]);
        let bare = ns(3);
        check_ratio(line, ns(5), bare, t[7]);
        check_ratio(line, ns(8), bare, t[10]);
        check_ratio(line, ns(11), bare, t[13]);
        for i in [1, 14, 16] {
            ns(i);
        }
    }
    threads
}

/// The check-cost table's checks fire on a ratio that is not its numbers':
/// tables rendered by the bench itself from made-up rows, some with a
/// ratio that does not belong to them, and one edited.
#[test]
fn check_cost_checks_can_fail() {
    let row = |bare: f64, checked: f64, ratio: f64| CheckCost {
        threads: 1,
        plain_ns: 950.0,
        bare_stop_ns: bare,
        checked_stop_ns: checked,
        ratio,
        dirty_log_stop_ns: 3.0 * bare,
        full_stop_ns: 1.5e6,
        incremental_check_ns: 2.4e3,
        full_check_ns: 1.2e6,
    };
    // 1.2 us over 12.3 us: the printed ratio within the rounding of all
    // three; a clamped bare stop; one below a nanosecond.
    let good = [
        row(1234.0, 12_345.0, 12_345.0 / 1234.0),
        row(0.0, 5000.0, 0.0),
        row(0.4, 5000.0, 5000.0 / 0.4),
        row(2e9, 3e9, 1.5),
    ];
    let table = vmm::bench::render_check_cost(&good);
    assert_eq!(check_cost_table(&table), [1, 1, 1, 1], "{table}");

    let fails = |t: &str| {
        fault(|| {
            check_cost_table(t);
        })
        .is_some_and(|f| f.contains(" is not "))
    };
    for bad in [
        row(1234.0, 12_345.0, 11.0),
        row(1234.0, 12_345.0, 9.0),
        row(1234.0, 12_345.0, 0.0),
        row(0.0, 5000.0, 3.0),
        row(2e9, 3e9, 1.6),
    ] {
        let table = vmm::bench::render_check_cost(std::slice::from_ref(&bad));
        assert!(fails(&table), "not caught: {bad:?}\n{table}");
    }
    // The dirty-log column's ratio, 3.0x.
    let mut edited = vmm::bench::render_check_cost(&good[..1]);
    assert!(edited.contains(" 3.0x "), "{edited}");
    edited = edited.replacen(" 3.0x ", " 3.5x ", 1);
    assert!(fails(&edited), "not caught:\n{edited}");
}
