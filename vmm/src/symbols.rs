//! Function symbols of an ELF file (the kernel's or the program's), to turn
//! guest addresses in panic reports and fault reports into `name+offset`.

use object::{Object, ObjectSymbol, SymbolKind};

#[derive(Clone, Debug, Default)]
pub struct Symbols {
    /// (start, size, demangled name), sorted by start.
    funcs: Vec<(u64, u64, String)>,
}

impl Symbols {
    /// Symbols of `data` as loaded at `bias` (0 unless the file is PIE).
    /// A file without a symbol table (or not parseable) gives no symbols.
    pub fn from_elf(data: &[u8], bias: u64) -> Symbols {
        let Ok(file) = object::File::parse(data) else {
            return Symbols::default();
        };
        let mut funcs: Vec<(u64, u64, String)> = file
            .symbols()
            .filter(|s| s.kind() == SymbolKind::Text && s.address() != 0)
            .filter_map(|s| {
                let name = s.name().ok()?;
                Some((s.address().wrapping_add(bias), s.size(), demangle(name)))
            })
            .collect();
        funcs.sort_by_key(|f| f.0);
        funcs.dedup_by_key(|f| f.0);
        Symbols { funcs }
    }

    pub fn is_empty(&self) -> bool {
        self.funcs.is_empty()
    }

    /// `name+0xoff` for `addr`, if a function covers it (or, for symbols
    /// without a size, is the nearest one below it).
    pub fn lookup(&self, addr: u64) -> Option<String> {
        let i = self.funcs.partition_point(|f| f.0 <= addr).checked_sub(1)?;
        let (start, size, name) = &self.funcs[i];
        let off = addr - start;
        if *size != 0 && off >= *size {
            return None;
        }
        Some(if off == 0 {
            name.clone()
        } else {
            format!("{name}+{off:#x}")
        })
    }

    /// `addr` followed by its symbol when known.
    pub fn describe(&self, addr: u64) -> String {
        match self.lookup(addr) {
            Some(s) => format!("{addr:#018x} {s}"),
            None => format!("{addr:#018x}"),
        }
    }
}

fn demangle(name: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ranges() {
        let s = Symbols {
            funcs: vec![(0x1000, 0x10, "a".into()), (0x2000, 0, "b".into())],
        };
        assert_eq!(s.lookup(0x1000).as_deref(), Some("a"));
        assert_eq!(s.lookup(0x100f).as_deref(), Some("a+0xf"));
        assert_eq!(s.lookup(0x1010), None);
        assert_eq!(s.lookup(0xfff), None);
        assert_eq!(s.lookup(0x2345).as_deref(), Some("b+0x345"));
    }

    #[test]
    fn garbage_gives_no_symbols() {
        assert!(Symbols::from_elf(b"junk", 0).is_empty());
    }
}
