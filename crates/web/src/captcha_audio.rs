//! The CAPTCHA's recording: the code spelt out, assembled here from one short clip per
//! symbol (made once by `scripts/make-captcha-clips` with espeak-ng, committed, compiled in),
//! with pauses of random length between them and a little noise over all, so no two
//! recordings line up sample for sample. 8 kHz, 8-bit unsigned mono PCM in a WAV file.

use crate::captcha_image::Jitter;

/// Samples per second of the clips and of the recording.
const RATE: u32 = 8000;

/// The clips, one per symbol of `tessera_domain::captcha::ALPHABET`.
const CLIPS: &[(char, &[u8])] = &[
    ('A', include_bytes!("../static/captcha/A.wav")),
    ('E', include_bytes!("../static/captcha/E.wav")),
    ('F', include_bytes!("../static/captcha/F.wav")),
    ('H', include_bytes!("../static/captcha/H.wav")),
    ('J', include_bytes!("../static/captcha/J.wav")),
    ('K', include_bytes!("../static/captcha/K.wav")),
    ('M', include_bytes!("../static/captcha/M.wav")),
    ('P', include_bytes!("../static/captcha/P.wav")),
    ('R', include_bytes!("../static/captcha/R.wav")),
    ('W', include_bytes!("../static/captcha/W.wav")),
    ('X', include_bytes!("../static/captcha/X.wav")),
    ('Y', include_bytes!("../static/captcha/Y.wav")),
    ('3', include_bytes!("../static/captcha/3.wav")),
    ('4', include_bytes!("../static/captcha/4.wav")),
    ('7', include_bytes!("../static/captcha/7.wav")),
    ('9', include_bytes!("../static/captcha/9.wav")),
];

/// Why a recording could not be made: a clip is missing or not in the expected format.
/// Both are faults of the build, never of the request.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("no clip for '{0}'")]
    NoClip(char),
    #[error("the clip for '{0}' is not 8 kHz 8-bit mono PCM WAV")]
    BadClip(char),
}

/// The samples of a clip: the `data` chunk of a WAV file whose `fmt ` chunk says PCM,
/// one channel, 8 kHz, 8 bits.
fn samples(symbol: char, wav: &[u8]) -> Result<&[u8], AudioError> {
    let bad = || AudioError::BadClip(symbol);
    if wav.get(0..4) != Some(b"RIFF") || wav.get(8..12) != Some(b"WAVE") {
        return Err(bad());
    }
    let mut at = 12;
    let mut format_ok = false;
    while let Some(header) = wav.get(at..at + 8) {
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        let size = usize::try_from(size).map_err(|_| bad())?;
        let body = wav.get(at + 8..at + 8 + size).ok_or_else(bad)?;
        match &header[0..4] {
            b"fmt " => {
                let field = |range: std::ops::Range<usize>| body.get(range).ok_or_else(bad);
                let pcm = field(0..2)? == [1, 0];
                let mono = field(2..4)? == [1, 0];
                let rate = field(4..8)? == RATE.to_le_bytes();
                let bits = field(14..16)? == [8, 0];
                format_ok = pcm && mono && rate && bits;
            }
            b"data" if format_ok => return Ok(body),
            _ => {}
        }
        // Chunks are padded to an even length.
        at += 8 + size + (size % 2);
    }
    Err(bad())
}

/// The recording of `code`, shaped by `seed`.
pub fn wav(code: &str, seed: &[u8]) -> Result<Vec<u8>, AudioError> {
    let mut jitter = Jitter::new(seed);
    // Silence is 128 in unsigned 8-bit PCM.
    let mut pcm: Vec<u8> = Vec::with_capacity(8 * usize::try_from(RATE).unwrap_or(8000));
    let millis = |ms: f64| (ms * f64::from(RATE) / 1000.0) as usize;
    pcm.resize(millis(jitter.between(350.0, 650.0)), 128);
    for symbol in code.chars() {
        let (_, wav) = CLIPS
            .iter()
            .find(|(c, _)| *c == symbol)
            .ok_or(AudioError::NoClip(symbol))?;
        let clip = samples(symbol, wav)?;
        // Each symbol a little louder or softer than the last.
        let gain = jitter.between(0.75, 1.0);
        pcm.extend(clip.iter().map(|s| {
            let centred = f64::from(*s) - 128.0;
            (128.0 + centred * gain).round().clamp(0.0, 255.0) as u8
        }));
        let gap = millis(jitter.between(350.0, 800.0));
        pcm.resize(pcm.len() + gap, 128);
    }
    // Low noise over everything, pauses included: about 2 % of full scale.
    for sample in &mut pcm {
        let noise = jitter.between(-3.0, 3.0);
        *sample = (f64::from(*sample) + noise).round().clamp(0.0, 255.0) as u8;
    }
    Ok(wrap(&pcm))
}

/// PCM samples in a WAV file.
fn wrap(pcm: &[u8]) -> Vec<u8> {
    let data = u32::try_from(pcm.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(44 + pcm.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&RATE.to_le_bytes()); // bytes per second: one per sample
    out.extend_from_slice(&1u16.to_le_bytes()); // bytes per frame
    out.extend_from_slice(&8u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data.to_le_bytes());
    out.extend_from_slice(pcm);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::captcha::ALPHABET;

    #[test]
    fn every_symbol_has_a_short_clip_in_the_expected_format() {
        for symbol in ALPHABET.iter().map(|b| char::from(*b)) {
            let (_, wav) = CLIPS.iter().find(|(c, _)| *c == symbol).unwrap();
            let clip = samples(symbol, wav).unwrap();
            let seconds = clip.len() as f64 / f64::from(RATE);
            assert!((0.1..1.0).contains(&seconds), "{symbol}: {seconds} s");
        }
        assert_eq!(CLIPS.len(), ALPHABET.len());
    }

    #[test]
    fn a_recording_is_a_wav_file_that_differs_per_seed() {
        let one = wav("AEF479", &[1; 16]).unwrap();
        assert_eq!(&one[0..4], b"RIFF");
        assert_eq!(&one[8..16], b"WAVEfmt ");
        let size = u32::from_le_bytes([one[4], one[5], one[6], one[7]]) as usize;
        assert_eq!(size + 8, one.len());
        assert_eq!(samples('-', &one).unwrap().len(), one.len() - 44);
        let seconds = (one.len() - 44) as f64 / f64::from(RATE);
        assert!((4.0..12.0).contains(&seconds), "{seconds} s");
        assert!(wav("AEF479", &[1; 16]).unwrap() == one);
        assert!(wav("AEF479", &[2; 16]).unwrap() != one);
        assert!(matches!(wav("A0", &[1; 16]), Err(AudioError::NoClip('0'))));
    }

    #[test]
    fn malformed_clips_are_refused() {
        assert!(samples('x', b"RIFF\0\0\0\0WAVE").is_err());
        assert!(samples('x', b"not a wav file at all").is_err());
        assert!(samples('x', b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0").is_err());
    }
}
