//! getrandom(2) and AT_RANDOM: xoshiro256** seeded from the host's entropy
//! in the boot info. Good statistical quality, not cryptographic: this
//! guest runs test programs, not key generation.

use spin::Mutex;

static STATE: Mutex<[u64; 4]> = Mutex::new([0; 4]);

pub fn init(seed: &[u8; 32]) {
    let mut s = STATE.lock();
    for (i, w) in s.iter_mut().enumerate() {
        *w = u64::from_le_bytes(seed[i * 8..i * 8 + 8].try_into().unwrap());
    }
    if s.iter().all(|w| *w == 0) {
        *s = [
            0x9e37_79b9_7f4a_7c15,
            0xbf58_476d_1ce4_e5b9,
            0x94d0_49bb_1331_11eb,
            1,
        ];
    }
}

fn next(s: &mut [u64; 4]) -> u64 {
    let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
    let t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3].rotate_left(45);
    result
}

pub fn fill(buf: &mut [u8]) {
    let mut s = STATE.lock();
    for chunk in buf.chunks_mut(8) {
        let v = next(&mut s).to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}
