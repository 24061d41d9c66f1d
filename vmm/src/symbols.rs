//! Function symbols of an ELF file (the kernel's or the program's), to turn
//! guest addresses in panic reports and fault reports into `name+offset`;
//! and its sized data objects, to name the futex word a deadlocked task
//! waits on.

use std::sync::{Arc, OnceLock};

use object::{Object, ObjectSection, ObjectSymbol, SectionKind, SymbolKind};

/// The ELF file symbols are read from.
#[derive(Clone, Debug, Default)]
pub enum Source {
    #[default]
    None,
    Static(&'static [u8]),
    Shared(Arc<[u8]>),
}

/// (start, size, demangled name), sorted by start.
type Funcs = Vec<(u64, u64, String)>;

/// Parsed on first use: most runs never name an address, and reading and
/// demangling a kernel's symbol table would cost every run a millisecond.
#[derive(Debug, Default)]
pub struct Symbols {
    source: Source,
    bias: u64,
    funcs: OnceLock<Funcs>,
    /// Sized data objects, same shape; parsed on first use too.
    objects: OnceLock<Funcs>,
}

impl Symbols {
    /// Symbols of the ELF in `source` as loaded at `bias` (0 unless PIE).
    pub fn lazy(source: Source, bias: u64) -> Symbols {
        Symbols {
            source,
            bias,
            funcs: OnceLock::new(),
            objects: OnceLock::new(),
        }
    }

    /// Symbols of `data` as loaded at `bias`, parsed now.
    pub fn from_elf(data: &[u8], bias: u64) -> Symbols {
        let s = Symbols::lazy(Source::None, bias);
        let _ = s.funcs.set(parse(data, bias));
        let _ = s.objects.set(parse_objects(data, bias));
        s
    }

    fn funcs(&self) -> &Funcs {
        self.funcs.get_or_init(|| match &self.source {
            Source::None => Vec::new(),
            Source::Static(d) => parse(d, self.bias),
            Source::Shared(d) => parse(d, self.bias),
        })
    }

    fn objects(&self) -> &Funcs {
        self.objects.get_or_init(|| match &self.source {
            Source::None => Vec::new(),
            Source::Static(d) => parse_objects(d, self.bias),
            Source::Shared(d) => parse_objects(d, self.bias),
        })
    }

    /// `name+0xoff` for an address inside a sized data object (the offset
    /// always shown: a futex word is often a field of a larger object).
    pub fn lookup_object(&self, addr: u64) -> Option<String> {
        let objects = self.objects();
        let i = objects.partition_point(|f| f.0 <= addr).checked_sub(1)?;
        let (start, size, name) = &objects[i];
        (addr - start < *size).then(|| format!("{name}+{:#x}", addr - start))
    }

    pub fn is_empty(&self) -> bool {
        self.funcs().is_empty()
    }

    /// The function covering `addr` (or, for symbols without a size, the
    /// nearest one below it): its name and start.
    fn resolve(&self, addr: u64) -> Option<(&str, u64)> {
        let funcs = self.funcs();
        let i = funcs.partition_point(|f| f.0 <= addr).checked_sub(1)?;
        let (start, size, name) = &funcs[i];
        if *size != 0 && addr - start >= *size {
            return None;
        }
        Some((name, *start))
    }

    fn format(name: &str, start: u64, addr: u64) -> String {
        let off = addr - start;
        if off == 0 {
            name.to_string()
        } else {
            format!("{name}+{off:#x}")
        }
    }

    /// `name+0xoff` for `addr`, if a function covers it.
    pub fn lookup(&self, addr: u64) -> Option<String> {
        self.resolve(addr)
            .map(|(name, start)| Self::format(name, start, addr))
    }

    /// `addr` followed by its symbol when known.
    pub fn describe(&self, addr: u64) -> String {
        match self.lookup(addr) {
            Some(s) => format!("{addr:#018x} {s}"),
            None => format!("{addr:#018x}"),
        }
    }

    /// Like [`Symbols::describe`] for a return address: the call that
    /// pushed it may be the last instruction of its function (a call to a
    /// function that does not return), so the function is the one holding
    /// the byte before it.
    pub fn describe_return(&self, addr: u64) -> String {
        match self.resolve(addr.wrapping_sub(1)) {
            Some((name, start)) => format!("{addr:#018x} {}", Self::format(name, start, addr)),
            None => format!("{addr:#018x}"),
        }
    }
}

/// Functions, and untyped labels in code sections (assembly entry points
/// such as `_start`). A file without a symbol table, or not parseable,
/// gives none.
fn parse(data: &[u8], bias: u64) -> Funcs {
    let Ok(file) = object::File::parse(data) else {
        return Vec::new();
    };
    let in_code = |s: &object::Symbol| {
        s.section_index()
            .and_then(|i| file.section_by_index(i).ok())
            .is_some_and(|sec| sec.kind() == SectionKind::Text)
    };
    let mut funcs: Funcs = file
        .symbols()
        .filter(|s| s.address() != 0)
        .filter(|s| s.kind() == SymbolKind::Text || (s.kind() == SymbolKind::Unknown && in_code(s)))
        .filter_map(|s| {
            let name = s.name().ok()?;
            Some((s.address().wrapping_add(bias), s.size(), demangle(name)))
        })
        .collect();
    funcs.sort_by_key(|f| f.0);
    funcs.dedup_by_key(|f| f.0);
    funcs
}

/// Data objects with a size (variables; a futex word lies in one).
fn parse_objects(data: &[u8], bias: u64) -> Funcs {
    let Ok(file) = object::File::parse(data) else {
        return Vec::new();
    };
    let mut objects: Funcs = file
        .symbols()
        .filter(|s| s.address() != 0 && s.size() != 0 && s.kind() == SymbolKind::Data)
        .filter_map(|s| {
            let name = s.name().ok()?;
            Some((s.address().wrapping_add(bias), s.size(), demangle(name)))
        })
        .collect();
    objects.sort_by_key(|f| f.0);
    objects.dedup_by_key(|f| f.0);
    objects
}

/// Addresses (plus `bias`) of the defined symbols named `names`, in that
/// order (`None`: not defined). For data symbols such as guest-libc's
/// exported stack lists; a file that does not parse defines none.
pub fn addresses(data: &[u8], bias: u64, names: &[&str]) -> Vec<Option<u64>> {
    let mut out = vec![None; names.len()];
    let Ok(file) = object::File::parse(data) else {
        return out;
    };
    for s in file.symbols().filter(|s| s.is_definition()) {
        let Ok(name) = s.name() else { continue };
        if let Some(i) = names.iter().position(|n| *n == name) {
            out[i].get_or_insert(s.address().wrapping_add(bias));
        }
    }
    out
}

fn demangle(name: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ranges() {
        let s = Symbols::default();
        s.funcs
            .set(vec![(0x1000, 0x10, "a".into()), (0x2000, 0, "b".into())])
            .unwrap();
        assert_eq!(s.lookup(0x1000).as_deref(), Some("a"));
        assert_eq!(s.lookup(0x100f).as_deref(), Some("a+0xf"));
        assert_eq!(s.lookup(0x1010), None);
        assert_eq!(s.lookup(0xfff), None);
        assert_eq!(s.lookup(0x2345).as_deref(), Some("b+0x345"));
        // A return address just past the end of `a` belongs to `a`.
        assert_eq!(s.describe_return(0x1010), "0x0000000000001010 a+0x10");
    }

    #[test]
    fn objects_name_any_byte_inside() {
        let s = Symbols::default();
        s.objects
            .set(vec![(0x4000, 8, "mutex_a".into()), (0x4010, 4, "w".into())])
            .unwrap();
        assert_eq!(s.lookup_object(0x4000).as_deref(), Some("mutex_a+0x0"));
        assert_eq!(s.lookup_object(0x4004).as_deref(), Some("mutex_a+0x4"));
        assert_eq!(s.lookup_object(0x4008), None);
        assert_eq!(s.lookup_object(0x3fff), None);
        assert_eq!(s.lookup_object(u64::MAX), None);
    }

    #[test]
    fn garbage_gives_no_symbols() {
        assert_eq!(addresses(b"junk", 0, &["main"]), vec![None]);
        assert!(Symbols::from_elf(b"junk", 0).is_empty());
        assert!(Symbols::lazy(Source::Static(b"junk"), 0).is_empty());
    }

    #[test]
    fn lazy_reads_a_real_elf() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let s = Symbols::lazy(Source::Shared(me.into()), 0);
        assert!(!s.is_empty());
    }
}
