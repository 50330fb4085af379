//! The CAPTCHA's picture: the code drawn as SVG strokes from a small stroke font of its own,
//! each glyph turned, moved and its points shaken, crossed by noise strokes drawn the same
//! way. No `<text>`: the code is never in the markup, only in the shapes.

use std::fmt::Write;

/// The picture's size in pixels.
pub const WIDTH: f64 = 240.0;
pub const HEIGHT: f64 = 80.0;
/// Strokes drawn across the code.
const NOISE_STROKES: usize = 3;

/// Strokes of one glyph, as polylines in a box 10 wide and 14 high (y downwards).
type Glyph = &'static [&'static [(u8, u8)]];

/// The stroke font: one glyph per symbol of `tessera_domain::captcha::ALPHABET`.
fn glyph(symbol: char) -> Option<Glyph> {
    Some(match symbol {
        'A' => &[&[(0, 14), (5, 0), (10, 14)], &[(2, 9), (8, 9)]],
        'E' => &[&[(10, 0), (0, 0), (0, 14), (10, 14)], &[(0, 7), (7, 7)]],
        'F' => &[&[(10, 0), (0, 0), (0, 14)], &[(0, 7), (7, 7)]],
        'H' => &[&[(0, 0), (0, 14)], &[(10, 0), (10, 14)], &[(0, 7), (10, 7)]],
        'J' => &[
            &[(3, 0), (10, 0)],
            &[(8, 0), (8, 11), (6, 14), (2, 14), (0, 11)],
        ],
        'K' => &[&[(0, 0), (0, 14)], &[(10, 0), (0, 9)], &[(3, 6), (10, 14)]],
        'M' => &[&[(0, 14), (0, 0), (5, 8), (10, 0), (10, 14)]],
        'P' => &[&[(0, 14), (0, 0), (8, 0), (10, 2), (10, 5), (8, 7), (0, 7)]],
        'R' => &[
            &[(0, 14), (0, 0), (8, 0), (10, 2), (10, 5), (8, 7), (0, 7)],
            &[(5, 7), (10, 14)],
        ],
        'W' => &[&[(0, 0), (2, 14), (5, 5), (8, 14), (10, 0)]],
        'X' => &[&[(0, 0), (10, 14)], &[(10, 0), (0, 14)]],
        'Y' => &[&[(0, 0), (5, 7), (10, 0)], &[(5, 7), (5, 14)]],
        '3' => &[
            &[(0, 1), (2, 0), (8, 0), (10, 2), (10, 5), (8, 7), (3, 7)],
            &[(8, 7), (10, 9), (10, 12), (8, 14), (2, 14), (0, 13)],
        ],
        '4' => &[&[(7, 14), (7, 0), (0, 10), (10, 10)]],
        '7' => &[&[(0, 0), (10, 0), (4, 14)]],
        '9' => &[&[
            (10, 7),
            (2, 7),
            (0, 5),
            (0, 2),
            (2, 0),
            (8, 0),
            (10, 2),
            (10, 11),
            (8, 14),
            (2, 14),
            (0, 12),
        ]],
        _ => return None,
    })
}

/// A small deterministic generator (SplitMix64) over a challenge's seed: the same
/// challenge always gets the same jitter. Not for secrets: the code itself comes from the
/// system's random source.
pub struct Jitter(u64);

impl Jitter {
    pub fn new(seed: &[u8]) -> Self {
        // FNV-1a over the seed: every byte changes the state, wherever it stands.
        let state = seed.iter().fold(0xcbf2_9ce4_8422_2325_u64, |acc, b| {
            (acc ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
        Self(state)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..high`.
    pub fn between(&mut self, low: f64, high: f64) -> f64 {
        // 53 bits fill an f64's mantissa exactly.
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        low + unit * (high - low)
    }

    /// A whole number in `low..=high`.
    pub fn pick(&mut self, low: usize, high: usize) -> usize {
        let span = u64::try_from(high.saturating_sub(low) + 1).unwrap_or(1);
        low + usize::try_from(self.next_u64() % span).unwrap_or(0)
    }
}

/// The picture of `code`, shaped by `seed`; `None` when the code has a symbol the font does
/// not know.
pub fn svg(code: &str, seed: &[u8]) -> Option<String> {
    let mut jitter = Jitter::new(seed);
    let mut strokes: Vec<Vec<(f64, f64)>> = Vec::new();
    let count = code.chars().count().max(1);
    let cell = (WIDTH - 24.0) / count as f64;
    for (i, symbol) in code.chars().enumerate() {
        let glyph = glyph(symbol)?;
        let angle = jitter.between(-0.35, 0.35);
        let scale = jitter.between(2.6, 3.1);
        let centre_x = 12.0 + cell * (i as f64 + 0.5) + jitter.between(-3.0, 3.0);
        let centre_y = HEIGHT / 2.0 + jitter.between(-7.0, 7.0);
        let (sin, cos) = angle.sin_cos();
        for line in glyph {
            let points = line
                .iter()
                .map(|&(x, y)| {
                    // Each point shaken a little, so no two drawings of a glyph match.
                    let x = (f64::from(x) - 5.0 + jitter.between(-0.35, 0.35)) * scale;
                    let y = (f64::from(y) - 7.0 + jitter.between(-0.35, 0.35)) * scale;
                    (centre_x + x * cos - y * sin, centre_y + x * sin + y * cos)
                })
                .collect::<Vec<_>>();
            strokes.push(subdivide(&points, &mut jitter));
        }
    }
    // Few enough that people still read the code: the proof of work is the main barrier.
    for _ in 0..NOISE_STROKES {
        strokes.push(noise_stroke(&mut jitter));
    }
    // Shuffled, so the order of the paths says nothing about which are letters.
    for i in (1..strokes.len()).rev() {
        strokes.swap(i, jitter.pick(0, i));
    }
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"CAPTCHA picture\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#f4f4f0\"/>\
         <g fill=\"none\" stroke=\"#1d2a44\" stroke-width=\"3\" stroke-linecap=\"round\" \
         stroke-linejoin=\"round\">"
    );
    for stroke in &strokes {
        out.push_str("<path d=\"");
        for (n, (x, y)) in stroke.iter().enumerate() {
            let _ = write!(out, "{}{x:.1} {y:.1}", if n == 0 { "M" } else { " L" });
        }
        out.push_str("\"/>");
    }
    out.push_str("</g></svg>");
    Some(out)
}

/// A polyline cut into short pieces whose joints wander a little: letters and noise then
/// look alike to a program reading the path data.
fn subdivide(points: &[(f64, f64)], jitter: &mut Jitter) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for pair in points.windows(2) {
        let [(x0, y0), (x1, y1)] = [pair[0], pair[1]];
        let length = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
        let pieces = ((length / 6.0).ceil() as usize).max(1);
        for k in 0..pieces {
            let t = k as f64 / pieces as f64;
            let wobble = if k == 0 { 0.0 } else { 0.6 };
            out.push((
                x0 + (x1 - x0) * t + jitter.between(-wobble, wobble),
                y0 + (y1 - y0) * t + jitter.between(-wobble, wobble),
            ));
        }
    }
    if let Some(last) = points.last() {
        out.push(*last);
    }
    out
}

/// A gentle curve across part of the picture.
fn noise_stroke(jitter: &mut Jitter) -> Vec<(f64, f64)> {
    let start = (
        jitter.between(0.0, WIDTH * 0.6),
        jitter.between(5.0, HEIGHT - 5.0),
    );
    let length = jitter.between(WIDTH * 0.2, WIDTH * 0.45);
    let rise = jitter.between(-HEIGHT * 0.4, HEIGHT * 0.4);
    let bend = jitter.between(-HEIGHT * 0.3, HEIGHT * 0.3);
    let points = (0..=8)
        .map(|k| {
            let t = f64::from(k) / 8.0;
            (
                start.0 + length * t,
                start.1 + rise * t + bend * 4.0 * t * (1.0 - t),
            )
        })
        .collect::<Vec<_>>();
    subdivide(&points, jitter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::captcha::ALPHABET;

    #[test]
    fn every_symbol_of_the_alphabet_has_a_glyph_inside_its_box() {
        for symbol in ALPHABET.iter().map(|b| char::from(*b)) {
            let strokes = glyph(symbol).unwrap_or_else(|| panic!("no glyph for {symbol}"));
            for line in strokes {
                assert!(line.len() >= 2, "{symbol}");
                assert!(line.iter().all(|&(x, y)| x <= 10 && y <= 14), "{symbol}");
            }
        }
        assert!(glyph('O').is_none());
    }

    #[test]
    fn the_picture_is_paths_only_and_the_same_for_the_same_seed() {
        let picture = svg("AEF479", &[3; 16]).unwrap();
        assert!(picture.starts_with("<svg"));
        assert!(!picture.contains("<text"));
        assert!(!picture.contains("AEF479"));
        assert_eq!(picture.matches("<path").count(), 9 + NOISE_STROKES);
        assert_eq!(svg("AEF479", &[3; 16]).unwrap(), picture);
        assert!(svg("AEF479", &[4; 16]).unwrap() != picture);
        let mut seed = [3; 16];
        seed[15] = 2;
        assert!(svg("AEF479", &seed).unwrap() != picture);
        assert!(svg("AEF4O9", &[3; 16]).is_none());
    }

    #[test]
    fn the_jitter_stays_in_range() {
        let mut jitter = Jitter::new(&[9; 16]);
        for _ in 0..1000 {
            let x = jitter.between(-2.0, 3.0);
            assert!((-2.0..3.0).contains(&x));
            assert!(jitter.pick(2, 5) >= 2 && jitter.pick(2, 5) <= 5);
        }
    }
}
